// The audit trail: every API call as a CloudTrail event (implementation lands with CloudTrail).
import type { Clock } from "./clock.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/types.js";
import { noAudit, type AuditSink } from "./audit-types.js";

export function createAuditTrail(_store: Store, _clock: Clock, _logger: Logger): AuditSink {
  return noAudit;
}
