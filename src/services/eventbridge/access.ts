// Bus policies enforced: PutEvents acts on each entry's bus (in the caller's account and region) as events:PutEvents,
// so the runtime refuses an explicit Deny in that bus's policy with AccessDeniedException, worded as IAM words it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). Another account's bus is
// decided by its Allow in put-events.ts (cross-account.ts).
import { explicitDenyMessage, type ResourcePolicyGuard, type ResourcePolicyTarget } from "../../core/policy/resource-guard.js";
import { AccessDeniedException, type PutEventsRequestEntry } from "./api.generated.js";
import { busNameOf, tables } from "./state.js";

export const ebResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    if (ctx.operation !== "PutEvents" || !Array.isArray(input.Entries)) return undefined;
    const out: ResourcePolicyTarget[] = [];
    const seen = new Set<string>();
    for (const e of input.Entries as PutEventsRequestEntry[]) {
      const nameOrArn = e.EventBusName;
      if (nameOrArn?.startsWith("arn:") && !nameOrArn.includes(`:${ctx.region}:${ctx.account}:`)) continue;
      const name = busNameOf(nameOrArn);
      if (seen.has(name)) continue;
      seen.add(name);
      const bus = tables(ctx).buses.get(name);
      if (bus?.statements.length) out.push({ resource: bus.arn, action: "events:PutEvents", policy: { Version: "2012-10-17", Statement: bus.statements } });
    }
    return out.length ? out : undefined;
  },
  denied: (ctx, target) => new AccessDeniedException(explicitDenyMessage(ctx.principal, target)),
};
