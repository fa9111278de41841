// "AWS API Call via CloudTrail" events: every recorded management call (read-only ones marked readOnly: true in the
// detail) goes to the default event bus of its account and region, source aws.<service> (the eventSource's prefix),
// detail = the CloudTrail record, as https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html and
// "Events delivered via CloudTrail" describe it. Sent only when that bus has a rule (eventbridge/internal.ts), batched
// per audit batch (off the request path: the audit trail flushes after the responses), 10 entries per PutEvents, as
// the service (invokedBy), unaudited so the event does not make another. Which rules read-only calls reach is
// EventBridge's to decide (a rule's state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
import type { ServiceHost } from "../../core/service.js";
import type { AuditEventRow } from "../../core/store/events.js";
import { busHasRules } from "../eventbridge/internal.js";

const DETAIL_TYPE = "AWS API Call via CloudTrail";
const PER_CALL = 10;

export class ApiCallEvents {
  private pending = new Map<string, Record<string, unknown>[]>();
  private hasRules = new Map<string, boolean>();
  // The last account and region asked about and the answer: a batch's calls are mostly one account's, in one region,
  // so a call on a bus without rules costs two comparisons.
  private last: { account: string; region: string; yes: boolean } | undefined;

  constructor(private readonly host: ServiceHost) {}

  offer(row: AuditEventRow): void {
    const last = this.last;
    if (last && last.account === row.account && last.region === row.region && !last.yes) return;
    const where = `${row.account}|${row.region}`;
    let yes = this.hasRules.get(where);
    if (yes === undefined) this.hasRules.set(where, (yes = busHasRules(this.host, row.account, row.region)));
    this.last = { account: row.account, region: row.region, yes };
    if (!yes) return;
    const list = this.pending.get(where) ?? [];
    list.push({
      Source: `aws.${row.eventSource.slice(0, row.eventSource.indexOf("."))}`,
      DetailType: DETAIL_TYPE,
      Detail: row.record,
      Time: new Date(row.eventTime),
      Resources: [],
    });
    this.pending.set(where, list);
  }

  /**
   * Forgets which buses have rules: a batch held an EventBridge call (rules change only through EventBridge's own
   * operations, which the audit trail sees like any other), so the next offer asks again. Until then the answer is
   * kept, and a request costs no lookup.
   */
  rulesMayHaveChanged(): void {
    this.hasRules.clear();
    this.last = undefined;
  }

  /** Sends what this batch offered (asynchronously). */
  flush(): void {
    if (!this.pending.size) return;
    const batches = this.pending;
    this.pending = new Map();
    for (const [where, entries] of batches) {
      const [account, region] = where.split("|");
      const who = Object.assign({}, this.host.rootIdentity(account, region), { invokedBy: "cloudtrail" });
      for (let i = 0; i < entries.length; i += PER_CALL) {
        this.host
          .call("eventbridge", "PutEvents", { Entries: entries.slice(i, i + PER_CALL) }, who, { audit: false })
          .catch((e) => this.host.logger.debug(`CloudTrail's API call events were not sent: ${String(e)}`));
      }
    }
  }
}
