// A run's artifacts, written to S3 in-process (as the canary's account) in AWS's layout: the run's folder is
// `<bucket>/<prefix>/canary/<region>/<canary-folder>/YYYY/MM/DD/HH/mm-ss-SSS` — the layout of the documented
// samples (monitoring-events-eventbridge.html: "cw-syn-results-…/canary/us-east-1/events-bb-1-ec3-28ddbe266797/
// 2021/02/09/22/23-41-200"; CloudWatch_Synthetics_MultiLocation_Monitoring.html: "s3://bucket/canary/primaryRegion/
// canaryName/year/month/day/hour/minute-second-millisecond"), the canary folder being its name, the first three and
// the last twelve characters of its id (unverified beyond those samples). In it: the log (`<time>-log.txt`),
// `SyntheticsReport-<PASSED|FAILED>.json` with the steps, and the screenshots a browser took. ArtifactConfig's
// SSE_KMS encrypts each object with its key.
import type { HandlerContext } from "../../core/context.js";
import type { RunResult } from "./runner.js";
import type { CanaryRec } from "./state.js";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function parseLocation(loc: string): { bucket: string; prefix: string } {
  const s = loc.replace(/^s3:\/\//, "").replace(/\/+$/, "");
  const i = s.indexOf("/");
  return i < 0 ? { bucket: s, prefix: "" } : { bucket: s.slice(0, i), prefix: s.slice(i + 1) };
}

/** The run's folder, without a trailing slash and without `s3://` (as AWS reports a run's ArtifactS3Location). */
export function runFolder(c: CanaryRec, region: string, started: number): string {
  const { bucket, prefix } = parseLocation(c.artifactS3Location);
  const d = new Date(started);
  const id = c.id.replace(/-/g, "");
  const when = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}-${pad(d.getUTCMilliseconds(), 3)}`;
  return [bucket, prefix, "canary", region, `${c.name}-${id.slice(0, 3)}-${id.slice(-12)}`, when].filter(Boolean).join("/");
}

function report(c: CanaryRec, runId: string, passed: boolean, r: RunResult, reason: string | undefined) {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    canaryName: c.name,
    canaryRunId: runId,
    runtimeVersion: c.runtimeVersion,
    startTime: iso(r.startTime),
    endTime: iso(r.endTime),
    runTime: String(r.endTime - r.startTime),
    status: passed ? "PASSED" : "FAILED",
    ...(reason !== undefined ? { failureReason: reason } : {}),
    stepsCount: r.steps.length,
    steps: r.steps.map((s) => ({
      stepName: s.stepName,
      status: s.status,
      ...(s.failureReason !== undefined ? { failureReason: s.failureReason } : {}),
      startTime: iso(s.startTime),
      ...(s.endTime !== undefined ? { endTime: iso(s.endTime) } : {}),
      ...(s.duration !== undefined ? { duration: s.duration } : {}),
      ...(s.statusCode !== undefined ? { statusCode: s.statusCode } : {}),
    })),
    requests: r.requests,
  };
}

/** Writes the run's artifacts; throws S3's error (the caller records the run as an EXECUTION_FAILURE). */
export async function writeArtifacts(
  ctx: HandlerContext,
  c: CanaryRec,
  runId: string,
  folder: string,
  passed: boolean,
  r: RunResult,
  reason: string | undefined,
): Promise<void> {
  const [bucket, ...rest] = folder.split("/");
  const base = rest.join("/");
  const enc = c.artifactConfig?.S3Encryption;
  const sse =
    enc?.EncryptionMode === "SSE_KMS"
      ? { ServerSideEncryption: "aws:kms" as const, ...(enc.KmsKeyArn ? { SSEKMSKeyId: enc.KmsKeyArn } : {}) }
      : enc?.EncryptionMode === "SSE_S3"
        ? { ServerSideEncryption: "AES256" as const }
        : {};
  const s3 = ctx.client("s3");
  const stamp = new Date(r.startTime).toISOString().replace(/[:.]/g, "-");
  const put = (name: string, body: Buffer | string, type: string) =>
    s3.putObject({ Bucket: bucket!, Key: `${base}/${name}`, Body: typeof body === "string" ? Buffer.from(body) : body, ContentType: type, ...sse } as never);
  await put(`${stamp}-log.txt`, r.log, "text/plain");
  await put(`SyntheticsReport-${passed ? "PASSED" : "FAILED"}.json`, JSON.stringify(report(c, runId, passed, r, reason)), "application/json");
  for (const s of r.screenshots ?? []) await put(s.name, Buffer.from(s.base64, "base64"), "image/png");
}
