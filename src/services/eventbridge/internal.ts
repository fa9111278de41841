// What other services may ask of EventBridge without calling its API (or loading it): whether an account's bus has
// any rule at all, so a service that sends its events there (CloudWatch's alarm state changes) calls PutEvents only
// when a rule could match them.
import type { StateHolder } from "../../core/state.js";
import { DEFAULT_BUS, ebState } from "./state.js";

export function busHasRules(holder: StateHolder, account: string, region: string, bus = DEFAULT_BUS): boolean {
  return ebState.at(holder, account, region).rules.list({ prefix: `${bus}|`, limit: 1 }).length > 0;
}
