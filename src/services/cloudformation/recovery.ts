// Stack policies (SetStackPolicy, GetStackPolicy) and the operations that recover a failed one: RollbackStack (a
// create or update left failed with DisableRollback), ContinueUpdateRollback (a rollback that failed, with
// ResourcesToSkip), CancelUpdateStack (an update under way). The engine runs them (engine.ts, update.ts).
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { CloudformationApi } from "./api.generated.js";
import type { Engine } from "./engine.js";
import { stackPolicyOf } from "./policy.js";
import { runTemplate } from "./source.js";
import { findStack } from "./stacks.js";
import { cfnState, type StackRec } from "./state.js";
import { remember, retried } from "./tokens.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);
const engine = (ctx: HandlerContext) => ctx.instance<Engine>();

/** A live stack by name or id: a deleted one does not exist for these operations. */
function liveStack(ctx: HandlerContext, name: string): StackRec {
  const s = findStack(ctx, name);
  if (s.status === "DELETE_COMPLETE") throw validation(`Stack with id ${name} does not exist`);
  return s;
}

export const recovery = {
  setStackPolicy(input, ctx) {
    const t = cfnState.of(ctx);
    const s = liveStack(ctx, input.StackName);
    const policy = stackPolicyOf(input.StackPolicyBody, input.StackPolicyURL, runTemplate(s));
    // Neither given: AWS keeps the policy as it is (unverified); a policy cannot be removed, only replaced.
    if (policy === undefined) return {};
    engine(ctx).patch(t, s, { stackPolicy: policy });
    return {};
  },

  getStackPolicy(input, ctx) {
    return { StackPolicyBody: liveStack(ctx, input.StackName).stackPolicy };
  },

  rollbackStack(input, ctx) {
    const t = cfnState.of(ctx);
    const s = liveStack(ctx, input.StackName);
    const again = retried<{ StackId: string }>(ctx, "RollbackStack", input.StackName, input);
    if (again) return again;
    // From the failed states DisableRollback leaves (the API reference); wording unverified.
    if (s.status !== "CREATE_FAILED" && s.status !== "UPDATE_FAILED") throw validation("RollbackStack cannot be called from current stack status");
    s.retainExceptOnCreate = input.RetainExceptOnCreate ?? s.retainExceptOnCreate;
    s.clientRequestToken = input.ClientRequestToken;
    const e = engine(ctx);
    e.setStatus(t, s, s.status === "CREATE_FAILED" ? "ROLLBACK_IN_PROGRESS" : "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated");
    ctx.startAtBoot();
    e.rollbackStack(ctx.account, ctx.region, s.stackId);
    return remember(ctx, "RollbackStack", input.StackName, input, { StackId: s.stackId });
  },

  continueUpdateRollback(input, ctx) {
    const t = cfnState.of(ctx);
    const s = liveStack(ctx, input.StackName);
    const again = retried<Record<string, never>>(ctx, "ContinueUpdateRollback", input.StackName, input);
    if (again) return again;
    // Wording as other emulators of AWS word it (unverified against a recorded response).
    if (s.status !== "UPDATE_ROLLBACK_FAILED") throw validation("ContinueUpdateRollback cannot be called from current stack status");
    const records = t.resources.list({ prefix: `${s.stackId}\u0000` }).map((e) => e.value);
    for (const id of input.ResourcesToSkip ?? []) {
      const rec = records.find((r) => r.logicalId === id);
      if (rec?.status !== "UPDATE_FAILED") throw validation(`Resource [${id}] is not in a failed state and cannot be skipped`); // unverified
    }
    const e = engine(ctx);
    s.clientRequestToken = input.ClientRequestToken;
    // "CloudFormation sets the status of the specified resources to UPDATE_COMPLETE and continues to roll back the
    // stack" (the API reference): taken as rolled back as it stands, its state left to the caller.
    for (const id of input.ResourcesToSkip ?? []) {
      const rec = records.find((r) => r.logicalId === id)!;
      Object.assign(rec, { status: "UPDATE_COMPLETE", statusReason: undefined, pending: undefined, previous: undefined, timestamp: ctx.now() });
      t.resources.put(`${s.stackId}\u0000${id}`, rec);
      e.event(t, s, { logicalId: id, physicalId: rec.physicalId, type: rec.type, status: "UPDATE_COMPLETE" });
    }
    e.setStatus(t, s, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated");
    ctx.startAtBoot();
    e.continueRollback(ctx.account, ctx.region, s.stackId);
    return remember(ctx, "ContinueUpdateRollback", input.StackName, input, {});
  },

  cancelUpdateStack(input, ctx) {
    const s = liveStack(ctx, input.StackName);
    const again = retried<Record<string, never>>(ctx, "CancelUpdateStack", input.StackName, input);
    if (again) return again;
    const e = engine(ctx);
    // The wording the brief and AWS's users quote; only an update still running can be cancelled.
    if (s.status !== "UPDATE_IN_PROGRESS" || e.cancelled.has(s.stackId)) throw validation("CancelUpdateStack cannot be called from current stack status");
    e.cancelled.add(s.stackId);
    // The rollback the cancel causes carries its token (in the record the running update holds too).
    e.patch(cfnState.of(ctx), s, { clientRequestToken: input.ClientRequestToken });
    return remember(ctx, "CancelUpdateStack", input.StackName, input, {});
  },
} satisfies Partial<CloudformationApi>;
