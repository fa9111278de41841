// Access logs of HTTP API stages: one line per request in the stage's AccessLogSettings.Format, its $context
// variables replaced ("Customize HTTP API access logs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html; a variable with no
// value is "-"), written to the DestinationArn log group through the CloudWatch Logs API in the background, after
// the response: never on the request's path. API Gateway does not create the log group; it must exist.
import { logGroupOfArn } from "../../../../core/log-delivery.js";
import type { ServiceHost } from "../../../../core/service.js";
import { logDelivery } from "../logs.js";

/** The $context values of one request, by the name after "$context." (nested names dotted: "identity.sourceIp"). */
export type LogContext = Record<string, string | number | undefined>;

export function formatAccessLog(format: string, ctx: LogContext): string {
  return format.replace(/\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_, name: string) => {
    const v = ctx[name];
    return v === undefined || v === "" ? "-" : String(v);
  });
}

// unverified naming: AWS names an HTTP API stage's access log streams itself; Stratus uses one stream per stage.
/** Delivers one access log line to the destination's log group (which must exist: else the line is dropped). */
export function writeHttpAccessLog(rt: ServiceHost, destinationArn: string, apiId: string, stage: string, timestamp: number, message: string): void {
  const g = logGroupOfArn(destinationArn);
  if (g) logDelivery(rt).write({ ...g, stream: `${apiId}_${stage}`, createGroup: false }, [{ timestamp, message }]);
}
