// The CloudTrail record of the call, success or error, handed to the audit trail after the response.
import type { Exchange } from "./exchange.js";

export function recordAuditEvent(x: Exchange): void {
  if (!x.service) return;
  x.runtime.audit.record({
    time: x.receivedAt,
    service: x.service.name,
    eventSource: `${x.service.endpointPrefix === "monitoring" ? "monitoring" : x.service.signingName}.amazonaws.com`,
    operation: x.operation ?? "",
    account: x.account,
    region: x.region,
    principal: x.principal!,
    sourceIp: x.sourceIp,
    userAgent: x.userAgent,
    requestId: x.requestId,
    input: x.input,
    output: x.output,
    errorCode: x.error?.code,
    errorMessage: x.error?.message,
  });
}
