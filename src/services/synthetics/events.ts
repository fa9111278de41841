// CloudWatch Synthetics' events on the account's default bus (source aws.synthetics), as AWS's "Monitoring canary
// events with Amazon EventBridge" (monitoring-events-eventbridge.html) shows them: "Synthetics Canary Status Change"
// (account-id, canary-id, canary-name, current-state, previous-state, source-location, updated-on, changed-config,
// message) and "Synthetics Canary TestRun Successful" / "Synthetics Canary TestRun Failure" (account-id, canary-id,
// canary-name, canary-run-id, artifact-location, test-run-status, state-reason, canary-run-timeline, message). Sent
// through EventBridge's PutEvents in-process only when the bus has a rule (eventbridge/internal.ts); a failure there
// never fails the canary.
import type { HandlerContext } from "../../core/context.js";
import { busHasRules } from "../eventbridge/internal.js";
import type { CanaryRec, RunRec } from "./state.js";

function put(ctx: HandlerContext, detailType: string, at: number, detail: Record<string, unknown>): void {
  if (!busHasRules(ctx, ctx.account, ctx.region)) return;
  ctx
    .client("eventbridge")
    .putEvents({ Entries: [{ Source: "aws.synthetics", DetailType: detailType, Resources: [], Time: new Date(at), Detail: JSON.stringify(detail) }] })
    .catch(() => {});
}

export function statusChangeEvent(ctx: HandlerContext, c: CanaryRec, previous: string, at: number, changed?: Record<string, unknown>): void {
  put(ctx, "Synthetics Canary Status Change", at, {
    "account-id": ctx.account,
    "canary-id": c.id,
    "canary-name": c.name,
    "current-state": c.state,
    "previous-state": previous,
    "source-location": "NULL",
    "updated-on": at / 1000,
    ...(changed ? { "changed-config": changed } : {}),
    message: "Canary status has changed",
  });
}

export function testRunEvent(ctx: HandlerContext, c: CanaryRec, run: RunRec, at: number): void {
  const passed = run.state === "PASSED";
  put(ctx, passed ? "Synthetics Canary TestRun Successful" : "Synthetics Canary TestRun Failure", at, {
    "account-id": ctx.account,
    "canary-id": c.id,
    "canary-name": c.name,
    "canary-run-id": run.id,
    "artifact-location": run.artifactS3Location,
    "test-run-status": run.state,
    // AWS writes the string "null" for a passed run and the quoted reason for a failed one (the documented samples).
    "state-reason": passed ? "null" : JSON.stringify(run.stateReason ?? ""),
    "canary-run-timeline": { started: Math.floor(run.started / 1000), completed: Math.floor((run.completed ?? at) / 1000) },
    message: "Test run result is generated successfully",
  });
}
