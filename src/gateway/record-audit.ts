// The CloudTrail record of the call, success or error, handed to the audit trail after the response;
// and the same record for calls one service makes to another in-process.
import { isServiceError, CommonErrors } from "../core/errors.js";
import { accountForUnknownKey, type Principal } from "../core/identity.js";
import { parseForm } from "../protocols/query.js";
import { serviceByName, type ServiceInfo } from "../services/registry.js";
import type { Runtime, Identity } from "../runtime.js";
import type { Exchange } from "./exchange.js";

/** e.g. iam.amazonaws.com; CloudWatch signs as "monitoring" and CloudTrail names it so. */
export function eventSourceOf(service: ServiceInfo): string {
  return `${service.endpointPrefix === "monitoring" ? "monitoring" : service.signingName}.amazonaws.com`;
}

export function recordAuditEvent(x: Exchange): void {
  if (!x.service) return;
  const account = x.account || accountForUnknownKey(x.sig?.accessKeyId);
  x.runtime.audit.record({
    time: x.receivedAt,
    service: x.service.name,
    eventSource: eventSourceOf(x.service),
    operation: x.operation ?? requestedOperation(x),
    account,
    region: x.region,
    principal: x.principal ?? unknownPrincipal(account, x.sig?.accessKeyId),
    sourceIp: x.sourceIp,
    userAgent: x.userAgent,
    requestId: x.requestId,
    input: x.input,
    output: x.error ? undefined : x.output,
    errorCode: x.error?.code,
    errorMessage: x.error?.message,
  });
}

/** Runs a service-to-service call and records it, invokedBy the calling service, as AWS does. */
export async function auditedCall(
  runtime: Runtime, service: string, operation: string, input: Record<string, unknown>, who: Identity & { requestId: string },
  invoke: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const time = runtime.clock.now();
  let output: Record<string, unknown> | undefined;
  let error: unknown;
  try {
    output = await invoke();
    return output;
  } catch (e) {
    error = e;
    throw e;
  } finally {
    const info = serviceByName(service);
    const caller = who.invokedBy ? serviceByName(who.invokedBy) : undefined;
    const err = error === undefined ? undefined : isServiceError(error) ? error : CommonErrors.internalFailure();
    if (info) {
      runtime.audit.record({
        time,
        service,
        eventSource: eventSourceOf(info),
        operation,
        account: who.account,
        region: who.region,
        principal: who.principal,
        sourceIp: who.sourceIp ?? "AWS Internal",
        userAgent: who.userAgent ?? "AWS Internal",
        requestId: who.requestId,
        input,
        output,
        errorCode: err?.code,
        errorMessage: err?.message,
        internal: true,
        invokedBy: caller ? eventSourceOf(caller) : undefined,
      });
    }
  }
}

// What the caller asked for when the operation did not resolve: the target, Action=, or CBOR path.
function requestedOperation(x: Exchange): string {
  const target = x.req.headers["x-amz-target"];
  if (target) return target.slice(target.lastIndexOf(".") + 1);
  const cbor = /\/operation\/([^/]+)$/.exec(x.req.path);
  if (cbor) return decodeURIComponent(cbor[1]);
  const q = /(?:^|&)Action=([^&]*)/.exec(x.req.query)?.[1];
  if (q) return decodeURIComponent(q);
  if ((x.req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
    const a = parseForm(x.req.body.toString("utf8")).get("Action");
    if (a) return a;
  }
  return `${x.req.method} ${x.req.path}`;
}

function unknownPrincipal(account: string, accessKeyId: string | undefined): Principal {
  return { type: "Unknown", accountId: account, arn: "", principalId: "", accessKeyId };
}
