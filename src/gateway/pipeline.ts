// Every AWS request takes this path; a ServiceError thrown by any step is rendered by the protocol.
import { CommonErrors, isServiceError, ServiceError } from "../core/errors.js";
import type { Exchange, Step } from "./exchange.js";
import { readBody, enforceBodyLimit, ClientGone } from "./read-body.js";
import { resolveService } from "./resolve-service.js";
import { authenticate } from "./authenticate.js";
import { resolveOperation } from "./resolve-operation.js";
import { parseInput, validate } from "./parse-input.js";
import { invokeHandler } from "./invoke-handler.js";
import { serializeOutput, serializeError, send } from "./write-response.js";
import { recordAuditEvent } from "./record-audit.js";

export const pipeline: Step[] = [
  readBody, //         the body, within the size limit
  resolveService, //   X-Amz-Target, SigV4 scope, Host, path → service + protocol
  enforceBodyLimit, // 413 past the size limit, in that service's protocol
  authenticate, //     SigV4 → account, region, principal
  resolveOperation, // Action / target / REST URI template
  parseInput, //       model-driven: HTTP → typed input
  validate, //         model constraints → AWS's validation error wording
  invokeHandler, //    services/<svc>: (input, ctx) → output
  serializeOutput, //  model-driven: output → HTTP
];

export async function handle(x: Exchange): Promise<void> {
  try {
    for (const step of pipeline) {
      const pending = step(x);
      if (pending) await pending;
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
  send(x);
  recordAuditEvent(x);
}

function toServiceError(x: Exchange, e: unknown): ServiceError {
  if (isServiceError(e)) return e;
  x.runtime.logger.error(`internal failure in ${x.service?.name ?? "?"}:${x.operation ?? "?"} (request ${x.requestId})`, e);
  return CommonErrors.internalFailure();
}
