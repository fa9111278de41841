// CloudFormation: the service at a glance — stacks created and deleted by the engine (engine.ts) through the
// resource types each service declares (core/resources.ts), their resources, events and templates.
import { defineService } from "../../core/service.js";
import type { CloudformationApi } from "./api.generated.js";
import { Engine } from "./engine.js";
import { changeSets } from "./changesets.js";
import { stacks } from "./stacks.js";
import { drift } from "./drift.js";

const handlers = { ...stacks, ...changeSets, ...drift } satisfies Partial<CloudformationApi>;

export default defineService({
  name: "cloudformation",
  handlers,
  start(host) {
    const engine = new Engine(host);
    // Operations a stopped server left in progress carry on (a create rolls back), so none stays IN_PROGRESS.
    engine.resume();
    // Running operations finish their current steps before the store closes (a kill -9 is what resume is for).
    host.onDrain(() => engine.drain());
    return { instance: engine };
  },
});
