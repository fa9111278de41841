// An archive's events, as AWS keeps them: an archive is a managed rule on its bus, `Events-Archive-<name>`
// (ManagedBy "prod.vhs.events.aws.internal", its pattern the archive's plus `"replay-name": [{"exists": false}]`, so a
// replayed event is never archived again — as moto models AWS's and as AWS shows it in ListRules), whose one target
// is the archive. Matching such a rule stores the event as delivered (the envelope) in the request's own transaction,
// counted in the archive's EventCount and SizeBytes; a sweep drops what is older than the archive's RetentionDays.
import { regionalArn, type ArnScope } from "../../core/arn.js";
import type { ServiceHost } from "../../core/service.js";
import type { Target } from "./api.generated.js";
import { ebState, transaction, type ArchiveRec, type RuleRec, type Tables } from "./state.js";

/** The ManagedBy of an archive's rule (AWS's value, as moto records it). */
export const ARCHIVE_MANAGER = "prod.vhs.events.aws.internal";
export const ARCHIVE_RULE_PREFIX = "Events-Archive-";
const DAY_MS = 86_400_000;
const SWEEP_PAGE = 500;

export const archiveArn = (where: ArnScope, name: string): string => regionalArn(where, "events", `archive/${name}`);
export const archiveRuleName = (archive: string): string => `${ARCHIVE_RULE_PREFIX}${archive}`;
/** A row's key: the archive, the ingestion time (fixed width, so rows sort by time), the event id. */
export const archivedKey = (archive: string, ingested: number, id: string): string => `${archive}|${String(ingested).padStart(15, "0")}|${id}`;
export const ingestedOf = (key: string): number => Number(key.split("|")[1]);

/** The managed rule's pattern: the archive's, and only events that are not replays. */
export function archiveRulePattern(pattern: string | undefined): string {
  const p = pattern ? (JSON.parse(pattern) as Record<string, unknown>) : {};
  return JSON.stringify({ ...p, "replay-name": [{ exists: false }] });
}

/** The managed rule's one target (the shape AWS lists for it: an InputTransformer naming the archive). */
export function archiveTarget(a: ArchiveRec, region: string, partition: string): Target {
  return {
    Id: archiveRuleName(a.name),
    Arn: `arn:${partition}:events:${region}:::`,
    InputTransformer: {
      InputPathsMap: {},
      InputTemplate: JSON.stringify({ "archive-arn": a.arn, event: "<aws.events.event.json>", "ingestion-time": "<aws.events.event.ingestion-time>" }),
    },
  };
}

/** Stores a matched event in the archive its managed rule belongs to (inside the caller's transaction). */
export function archiveEvent(t: Tables, rule: RuleRec, event: Record<string, unknown>, ingested: number): void {
  const a = t.archives.get(rule.name.slice(ARCHIVE_RULE_PREFIX.length));
  if (!a) return;
  const size = Buffer.byteLength(JSON.stringify(event), "utf8");
  t.archived.put(archivedKey(a.name, ingested, String(event.id)), { event, size });
  a.eventCount++;
  a.sizeBytes += size;
  t.archives.put(a.name, a);
}

/** Deletes every event of an archive (DeleteArchive). */
export function dropArchived(t: Tables, archive: string): void {
  for (;;) {
    const rows = t.archived.list({ prefix: `${archive}|`, limit: SWEEP_PAGE });
    for (const { key } of rows) t.archived.delete(key);
    if (rows.length < SWEEP_PAGE) return;
  }
}

/** Drops the events older than each archive's retention, in every account and region (oldest first: rows sort by time). */
export function sweepArchives(host: ServiceHost): void {
  const now = host.clock.now();
  for (const { tables: t } of ebState.all(host, "archives")) {
    for (const { value: a } of t.archives.list()) {
      if (!a.retentionDays) continue;
      const cutoff = now - a.retentionDays * DAY_MS;
      let done = false;
      while (!done)
        transaction(host, () => {
          const rows = t.archived.list({ prefix: `${a.name}|`, limit: SWEEP_PAGE });
          const old = rows.filter((r) => ingestedOf(r.key) < cutoff);
          done = old.length < rows.length || rows.length < SWEEP_PAGE;
          for (const r of old) {
            t.archived.delete(r.key);
            a.eventCount--;
            a.sizeBytes -= r.value.size;
          }
          if (old.length) t.archives.put(a.name, a);
        });
    }
  }
}

/** The sweep's period: hourly, or STRATUS_EVENTBRIDGE_ARCHIVE_SWEEP_MS (tests). */
export const sweepEveryMs = (): number => Number(process.env.STRATUS_EVENTBRIDGE_ARCHIVE_SWEEP_MS ?? 3_600_000);

/** Whether an archive's rule exists and is enabled on its bus (else the archive is DISABLED). */
export function archiveEnabled(t: Tables, a: ArchiveRec): boolean {
  const r = t.rules.get(`${a.bus}|${archiveRuleName(a.name)}`);
  return !!r && r.state !== "DISABLED";
}
