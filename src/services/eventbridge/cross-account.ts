// A bus in another account (or region), named by its ARN in PutEvents or as a rule's target: the event goes there
// only when that bus's policy allows the sender events:PutEvents (the statements PutPermission writes, decided by
// core/policy's evaluator). Same account and region: the caller's own bus.
import { parseArn } from "../../core/arn.js";
import type { Principal } from "../../core/identity.js";
import { evaluatePolicy, type Statement } from "../../core/policy/index.js";
import type { ServiceHost } from "../../core/service.js";
import { busNameOf, defaultBus, ebState, type BusRec } from "./state.js";

export interface BusAt {
  account: string;
  region: string;
  bus: BusRec;
}

/** Where an EventBusName (name or ARN) points, from (account, region): the bus and its scope, or undefined if none. */
export function resolveBus(host: ServiceHost, account: string, region: string, nameOrArn: string | undefined): BusAt | undefined {
  const p = nameOrArn?.startsWith("arn:") ? parseArn(nameOrArn) : undefined;
  const where = { account: p?.account || account, region: p?.region || region };
  const name = busNameOf(nameOrArn);
  const bus = ebState.at(host, where.account, where.region).buses.get(name) ?? (name === "default" ? defaultBus(where) : undefined);
  return bus ? { account: where.account, region: where.region, bus } : undefined;
}

/** Whether `sender` may put events on a bus of another account: its policy must allow it (same account: always). */
export function mayPutEvents(to: BusAt, sender: Principal): boolean {
  if (to.account === sender.accountId) return true;
  return (
    evaluatePolicy(to.bus.statements as Statement[], { caller: { type: "iam", principal: sender }, action: "events:PutEvents", resource: to.bus.arn }) ===
    "Allow"
  );
}

/** The root of an account, as a sender (a rule's bus target sends as its rule's account). */
export const accountRoot = (account: string, partition = "aws"): Principal => ({
  type: "Root",
  accountId: account,
  arn: `arn:${partition}:iam::${account}:root`,
  principalId: account,
});
