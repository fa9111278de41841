// SignalResource: a success or failure signal for a resource whose CreationPolicy waits for signals (here an
// AWS::CloudFormation::WaitCondition declared with a CreationPolicy instead of a Handle). Signals are kept as a
// handle's are (presign.ts's handles table, by `<stackId>/<logicalId>`), and wait-condition.ts counts them.
import { ServiceError } from "../../core/errors.js";
import type { CloudformationApi } from "./api.generated.js";
import { signalState } from "./presign.js";
import { cfnState } from "./state.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

export const signals = {
  signalResource(input, ctx) {
    const t = cfnState.of(ctx);
    const id = input.StackName.startsWith("arn:") ? input.StackName : t.names.get(input.StackName);
    const s = id ? t.stacks.get(id) : undefined;
    if (!s || s.status === "DELETE_COMPLETE") throw validation(`Stack with id ${input.StackName} does not exist`);
    const r = t.resources.get(`${s.stackId}\u0000${input.LogicalResourceId}`);
    if (!r) throw validation(`Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
    // unverified wording
    if (r.status !== "CREATE_IN_PROGRESS" && r.status !== "UPDATE_IN_PROGRESS")
      throw validation(`Resource ${input.LogicalResourceId} is in ${r.status} state and cannot be signaled`);
    const handles = signalState.of(ctx).handles;
    const key = `${s.stackId}/${input.LogicalResourceId}`;
    const rec = handles.get(key) ?? { url: "", signals: {} };
    handles.put(key, { ...rec, signals: { ...rec.signals, [input.UniqueId]: { Status: input.Status, UniqueId: input.UniqueId } } });
    return {};
  },
} satisfies Partial<CloudformationApi>;
