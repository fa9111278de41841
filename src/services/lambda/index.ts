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
  ...functions, ...invoke, ...invokeStream, ...versions, ...aliases, ...permissions, ...tags, ...concurrency, ...layers, ...invokeConfigs, ...eventSourceMappings, ...urls,
} satisfies Partial<LambdaApi>;

export default defineService({
  name: "lambda",
  handlers,
  start(runtime) {
    const stopEngine = startEngine(runtime);
    // Asynchronous events queued before a restart resume once the engine is up.
    const stopQueue = startAsyncQueue(runtime);
    const stopPollers = startPollers(runtime);
    return () => {
      stopPollers();
      stopQueue();
      stopEngine();
    };
  },
});
