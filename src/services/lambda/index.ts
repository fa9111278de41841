// Lambda: functions whose code runs for real as local processes speaking the Lambda Runtime API (engine/),
// with versions, aliases, layers, permissions, concurrency, asynchronous invocation and event source mappings.
import { defineService } from "../../core/service.js";
import type { LambdaApi } from "./api.generated.js";
import { startEngine } from "./engine/index.js";
import { startAsyncQueue } from "./async.js";
import { aliases } from "./aliases.js";
import { concurrency } from "./concurrency.js";
import { eventSourceMappings } from "./event-source-mappings.js";
import { startPollers } from "./esm-poller.js";
import type { LambdaRunning } from "./running.js";
import { functions } from "./functions.js";
import { invoke } from "./invoke.js";
import { invokeStream } from "./invoke-stream.js";
import { invokeConfigs } from "./invoke-configs.js";
import { layers } from "./layers.js";
import { permissions } from "./permissions.js";
import { tags } from "./tags.js";
import { urls } from "./urls.js";
import { versions } from "./versions.js";

const handlers = {
  ...functions,
  ...invoke,
  ...invokeStream,
  ...versions,
  ...aliases,
  ...permissions,
  ...tags,
  ...concurrency,
  ...layers,
  ...invokeConfigs,
  ...eventSourceMappings,
  ...urls,
} satisfies Partial<LambdaApi>;

export default defineService({
  name: "lambda",
  handlers,
  // The running instance (handlers: engineOf(ctx), pollersOf(ctx); background work: the same with the host).
  start(runtime) {
    const engine = startEngine(runtime);
    // Asynchronous events queued before a restart resume once the engine is up.
    const queue = startAsyncQueue(runtime);
    const pollers = startPollers(runtime);
    const instance: LambdaRunning = { engine, queue, pollers };
    return {
      instance,
      stop: () => {
        pollers.stop();
        queue.stop();
        engine.stop();
      },
    };
  },
});
