// Every AWS request takes this path; a ServiceError thrown by any step is rendered by the protocol.
import { CommonErrors, isServiceError, type ServiceError } from "../core/errors.js";
import type { Exchange, Step } from "./exchange.js";
import { readBody, enforceBodyLimit, ClientGone } from "./read-body.js";
import { resolveService } from "./resolve-service.js";
import { authenticate } from "./authenticate.js";
import { resolveOperation } from "./resolve-operation.js";
import { parseInput } from "./parse-input.js";
import { dispatch } from "./invoke-handler.js";
import { serializeOutput, serializeError, send } from "./write-response.js";
import { recordAuditEvent } from "./record-audit.js";
import { quirksAfterAuth, quirksBeforeAuth, quirksDecorate } from "./quirks.js";
import { elapsedMs } from "../core/clock.js";

export const pipeline: Step[] = [
  resolveService, //   X-Amz-Target, SigV4 scope, Host, path → service + protocol
  readBody, //         the body, within the size limit — or a stream for S3's uploads
  enforceBodyLimit, // 413 past the size limit, in that service's protocol
  quirksBeforeAuth, // the service's declared quirk, e.g. S3: CORS preflight, POST uploads, SigV2 (may answer itself)
  authenticate, //     SigV4 → account, region, principal
  quirksAfterAuth, //  e.g. S3: chunk signatures chained from the seed, decoded content length
  resolveOperation, // Action / target / REST URI template
  parseInput, //       model-driven: HTTP → typed input
  dispatch, //         the service's validation in AWS's wording, then services/<svc>: (input, ctx) → output
  serializeOutput, //  model-driven: output → HTTP
  quirksDecorate, //   e.g. S3: 206 for ranges, CORS headers on actual requests
];

export async function handle(x: Exchange): Promise<void> {
  const started = elapsedMs();
  const commitFailures = x.runtime.store.commitFailures;
  try {
    for (const step of pipeline) {
      const pending = step(x);
      if (pending) await pending;
      // A quirk answered the request itself (CORS preflight, POST upload): the rest does not apply.
      if (x.answered) break;
    }
  } catch (e) {
    if (e instanceof ClientGone) {
      x.runtime.logger.debug(`request ${x.requestId}: ${e.message}`);
      return;
    }
    x.error = toServiceError(x, e);
    try {
      x.response = serializeError(x, x.error);
    } catch (e2) {
      x.runtime.logger.error(`could not serialize ${x.error.code} for request ${x.requestId}`, e2);
      x.codec = undefined;
      x.response = serializeError(x, x.error);
    }
  }
  // What the request wrote commits with the rest of this event-loop turn's writes (group commit, core/store/sqlite.ts):
  // answered only once durable, or with an internal failure if that commit failed.
  const durable = x.runtime.store.durable();
  try {
    if (durable) await durable;
    // A group that held one of this request's writes failed to commit before this point.
    if (x.runtime.store.commitFailures !== commitFailures) throw new Error("a commit failed while this request ran: its writes may be undone");
  } catch (e) {
    x.error = toServiceError(x, e);
    x.response = serializeError(x, x.error);
  }
  send(x);
  recordAuditEvent(x);
  // With --log-level debug, one line per request: what the user's code called and how it went.
  if (x.runtime.logger.level === "debug") {
    const status = x.response?.status ?? 0;
    x.runtime.logger.debug(
      `AWS ${x.service?.name ?? "?"}.${x.operation ?? "?"} => ${status}${x.error ? ` ${x.error.code}` : ""} (${Math.round(elapsedMs() - started)} ms)`,
    );
  }
}

function toServiceError(x: Exchange, e: unknown): ServiceError {
  if (isServiceError(e)) return e;
  x.runtime.logger.error(`internal failure in ${x.service?.name ?? "?"}:${x.operation ?? "?"} (request ${x.requestId})`, e);
  return CommonErrors.internalFailure();
}
