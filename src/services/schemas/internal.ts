// What EventBridge asks of Schemas without calling its API: PutEvents hands each accepted event here, and it returns
// at once unless a started discoverer watches the bus (a map lookup in Schemas' running instance, which is there
// whenever a discoverer has been created: Schemas then starts with the server). Inference runs later, in batches
// (discovery.ts), off the request's path.
import type { ServiceHost } from "../../core/service.js";
import { startedKey, type SchemasInstance } from "./state.js";

export function observeEvents(host: ServiceHost, account: string, region: string, busArn: string, event: Record<string, unknown>): void {
  const inst = host.instance<SchemasInstance>("schemas");
  if (!inst?.started.size) return;
  const d = inst.started.get(startedKey(account, region, busArn));
  // A discoverer without CrossAccount leaves out the events other accounts send to the bus.
  if (!d || (!d.crossAccount && event.account !== account)) return;
  inst.enqueue(account, region, busArn, event);
}
