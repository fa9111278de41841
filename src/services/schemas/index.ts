// EventBridge Schemas: the service at a glance — registries (aws.events with AWS's event schemas, discovered-schemas,
// custom ones) with policies and tags; schemas and their versions, validated, searched and exported; code bindings
// generated for Java, Python, TypeScript and Go; discoverers inferring schemas from the events on a bus.
import { defineService } from "../../core/service.js";
import type { SchemasApi } from "./api.generated.js";
import { bindings } from "./bindings.js";
import { Discovery } from "./discovery.js";
import { discoverers } from "./discoverers.js";
import { registries } from "./registries.js";
import { schemas } from "./schemas.js";
import { tagging } from "./tags.js";

const handlers = {
  ...registries,
  ...schemas,
  ...bindings,
  ...discoverers,
  ...tagging,
} satisfies Partial<SchemasApi>;

export default defineService({
  name: "schemas",
  handlers,
  start(host) {
    const instance = new Discovery(host);
    return { instance, stop: () => instance.flush() };
  },
});
