// What CloudWatch Logs runs beside its handlers: the retention sweep, the keyring of encrypted groups' data keys,
// export tasks a stop interrupted (rerun at boot), Logs Insights queries it interrupted (failed), subscription deliveries to retry, Live Tail sessions, and the
// publisher of its AWS/Logs metrics; the keyring and the publisher are its running instance.
import type { ServiceHost } from "../../core/service.js";
import { serviceMetrics, type ServiceMetrics } from "../../core/service-metrics.js";
import { startDeliveryRetries } from "./delivery.js";
import { startKeyring, type Keyring } from "./encryption.js";
import { resumeExports } from "./exports.js";
import { startLiveTail } from "./live-tail.js";
import { failInterruptedQueries } from "./insights/queries.js";
import { startRetentionSweep } from "./retention.js";

export interface LogsInstance {
  keyring: Keyring;
  metrics: ServiceMetrics;
}

export function startLogs(host: ServiceHost): { instance: LogsInstance; stop: () => void } {
  startLiveTail(host);
  // A query a stop interrupted is Failed, never left Running.
  failInterruptedQueries(host);
  const stops = [startRetentionSweep(host), startDeliveryRetries(host)];
  const keyring = startKeyring(host);
  resumeExports(host);
  return { instance: { keyring, metrics: serviceMetrics(host, "cloudwatch-logs") }, stop: () => stops.forEach((stop) => stop()) };
}
