// Targets: PutTargets (at most five per rule; per-entry FailedEntries for targets Stratus does not deliver to),
// RemoveTargets, ListTargetsByRule. Stratus delivers to SQS queues, SNS topics, Lambda functions and event buses.
import { parseArn } from "../../core/arn.js";
import { pageByKey } from "../../core/paging.js";
import { LimitExceededException, type EventbridgeApi, type PutTargetsResultEntry, type Target } from "./api.generated.js";
import { checkInputPath, checkTransformer } from "./transform.js";
import { checkManaged, invalidToken, mustRule, saveRule, transaction, ValidationException } from "./state.js";

export const MAX_TARGETS = 5;
export type TargetKind = "sqs" | "sns" | "lambda" | "bus";

/** The kind of target an ARN names, when Stratus delivers to it; otherwise the service it belongs to. */
export function targetKind(arn: string): TargetKind | { unsupported: string } {
  const p = parseArn(arn);
  if (p?.service === "sqs" && p.resource && !p.resource.includes(":")) return "sqs";
  if (p?.service === "sns" && p.resource && !p.resource.includes(":")) return "sns";
  if (p?.service === "lambda" && p.resource.startsWith("function:")) return "lambda";
  if (p?.service === "events" && p.resource.startsWith("event-bus/")) return "bus";
  return { unsupported: p?.service === "events" && p.resource.startsWith("api-destination/") ? "API destination" : (p?.service ?? arn) };
}

/** Checks one target; a target Stratus cannot deliver to becomes a failed entry, anything malformed a ValidationException. */
function check(t: Target): PutTargetsResultEntry | undefined {
  if (!/^arn:aws([\w-]*):[\w-]+:/.test(t.Arn)) throw new ValidationException(`Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
  const given = [t.Input !== undefined, t.InputPath !== undefined, t.InputTransformer !== undefined].filter(Boolean).length;
  if (given > 1) throw new ValidationException("Only one of Input, InputPath, or InputTransformer must be provided."); // unverified wording
  if (t.Input !== undefined) {
    try {
      JSON.parse(t.Input);
    } catch {
      throw new ValidationException(`Parameter Input is not valid. Reason: Input for target ${t.Id} is not a valid JSON text.`); // unverified wording
    }
  }
  if (t.InputTransformer) checkTransformer(t.InputTransformer);
  if (t.InputPath !== undefined) checkInputPath(t.InputPath);
  if (t.DeadLetterConfig?.Arn && targetKind(t.DeadLetterConfig.Arn) !== "sqs")
    throw new ValidationException(`Parameter DeadLetterConfig.Arn is not valid. Reason: the dead-letter queue must be an SQS queue.`); // unverified wording
  const kind = targetKind(t.Arn);
  if (typeof kind === "object")
    return {
      TargetId: t.Id,
      ErrorCode: "ValidationException",
      ErrorMessage: `Stratus does not deliver to ${kind.unsupported} targets yet: it delivers to SQS queues, SNS topics, Lambda functions and event buses.`,
    };
  if (kind === "sqs" && t.Arn.endsWith(".fifo") && !t.SqsParameters?.MessageGroupId)
    throw new ValidationException(`Parameter(s) SqsParameters must be specified for target: ${t.Id}.`);
  const other = t.KinesisParameters ?? t.EcsParameters ?? t.BatchParameters ?? t.RunCommandParameters ?? t.HttpParameters ?? t.RedshiftDataParameters;
  if (other ?? t.SageMakerPipelineParameters ?? t.AppSyncParameters)
    return {
      TargetId: t.Id,
      ErrorCode: "ValidationException",
      ErrorMessage: `Stratus does not use the parameters given for target ${t.Id}: they belong to another target type.`,
    };
  return undefined;
}

export const targets = {
  putTargets(input, ctx) {
    const rule = mustRule(ctx, input.Rule, input.EventBusName);
    checkManaged(rule);
    const failed: PutTargetsResultEntry[] = [];
    const accepted: Target[] = [];
    for (const t of input.Targets) {
      const f = check(t);
      if (f) failed.push(f);
      else accepted.push(t);
    }
    const next = [...rule.targets];
    for (const t of accepted) {
      const i = next.findIndex((x) => x.Id === t.Id);
      if (i >= 0) next[i] = t;
      else next.push(t);
    }
    // AWS's answer past five targets, as aws-cloudformation/cfn-lint#306 and 18F/identity-terraform#121 quote it.
    if (next.length > MAX_TARGETS) throw new LimitExceededException("The requested resource exceeds the maximum number allowed.");
    rule.targets = next;
    saveRule(ctx, rule);
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  },

  removeTargets(input, ctx) {
    const rule = mustRule(ctx, input.Rule, input.EventBusName);
    checkManaged(rule, input.Force);
    const ids = new Set(input.Ids);
    transaction(ctx, () => {
      rule.targets = rule.targets.filter((t) => !ids.has(t.Id));
      saveRule(ctx, rule);
    });
    return { FailedEntryCount: 0, FailedEntries: [] };
  },

  listTargetsByRule(input, ctx) {
    const rule = mustRule(ctx, input.Rule, input.EventBusName);
    const indexed = rule.targets.map((t, i) => ({ t, k: String(i).padStart(3, "0") }));
    const page = pageByKey(indexed, (x) => x.k, {
      operation: "ListTargetsByRule",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: rule.arn,
    });
    return { Targets: page.items.map((x) => x.t), ...(page.next ? { NextToken: page.next } : {}) };
  },
} satisfies Partial<EventbridgeApi>;
