// The CloudTrail record of the call, success or error, handed to the audit trail after the response (the runtime
// records calls one service makes to another in-process).
import { accountForUnknownKey, type Principal } from "../core/identity.js";
import { parseForm } from "../protocols/query.js";
import type { Exchange } from "./exchange.js";

export function recordAuditEvent(x: Exchange): void {
  if (!x.service) return;
  const account = x.account || accountForUnknownKey(x.sig?.accessKeyId);
  x.runtime.audit.record({
    time: x.receivedAt,
    service: x.service.name,
    eventSource: x.service.eventSource,
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

// What the caller asked for when the operation did not resolve: the target, Action=, or CBOR path. It runs after
// the response is out, on input that may be what failed (malformed percent-encoding): it never throws.
function requestedOperation(x: Exchange): string {
  const target = x.req.headers["x-amz-target"];
  if (target) return target.slice(target.lastIndexOf(".") + 1);
  const cbor = /\/operation\/([^/]+)$/.exec(x.req.path);
  if (cbor) return decodeOr(cbor[1]);
  const q = /(?:^|&)Action=([^&]*)/.exec(x.req.query)?.[1];
  if (q) return decodeOr(q);
  if ((x.req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
    try {
      const a = parseForm(x.req.body.toString("utf8")).get("Action");
      if (a) return a;
    } catch {
      // A form that does not decode: named by the request line below.
    }
  }
  return `${x.req.method} ${x.req.path}`;
}

function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function unknownPrincipal(account: string, accessKeyId: string | undefined): Principal {
  return { type: "Unknown", accountId: account, arn: "", principalId: "", accessKeyId };
}
