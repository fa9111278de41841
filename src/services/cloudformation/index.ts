// CloudFormation: the service at a glance — stacks created and deleted by the engine (engine.ts) through the
// resource types each service declares (core/resources.ts), their resources, events and templates.
import { defineService } from "../../core/service.js";
import type { CloudformationApi } from "./api.generated.js";
import { Engine } from "./engine.js";
import { changeSets } from "./changesets.js";
import { registryTypes } from "./registry-types.js";
import { recovery } from "./recovery.js";
import { signals } from "./signal.js";
import { stacks } from "./stacks.js";
import { stackSets, startStackSets } from "./stacksets.js";
import { drift } from "./drift.js";

// drift.ts wraps the stack and resource reads (their DriftInformation), so it comes after stacks.
const handlers = { ...stacks, ...changeSets, ...registryTypes, ...stackSets, ...recovery, ...signals, ...drift } satisfies Partial<CloudformationApi>;

export default defineService({
  name: "cloudformation",
  handlers,
  start(host) {
    const engine = new Engine(host);
    // Operations a stopped server left in progress carry on (a create rolls back), so none stays IN_PROGRESS.
    engine.resume();
    // Running operations finish their current steps before the store closes (a kill -9 is what resume is for).
    host.onDrain(() => engine.drain());
    // Stack set operations carry on too, after the stacks they deploy (stacksets.ts).
    startStackSets(host, engine);
    return { instance: engine };
  },
});
