// Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive. Each archive is a managed rule
// on its bus (archive-store.ts) written with the archive, in one transaction. Wordings: moto's, which follow AWS's
// recorded answers ("Archive x already exists.", "Archive x does not exist.", ListArchives' one-filter rule).
import { partitionOf } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { ResourceAlreadyExistsException, ResourceNotFoundException, type Archive, type ArchiveState, type EventbridgeApi } from "./api.generated.js";
import { ARCHIVE_MANAGER, archiveArn, archiveEnabled, archiveRuleName, archiveRulePattern, archiveTarget, dropArchived } from "./archive-store.js";
import { compilePattern } from "./matcher.js";
import {
  busNameOf,
  deleteRule,
  mustBus,
  ruleArn,
  saveRule,
  tables,
  transaction,
  ValidationException,
  type ArchiveRec,
  type Tables,
  invalidToken,
} from "./state.js";

export function mustArchive(t: Tables, name: string): ArchiveRec {
  const a = t.archives.get(name);
  if (!a) throw new ResourceNotFoundException(`Archive ${name} does not exist.`);
  return a;
}

const stateOf = (t: Tables, a: ArchiveRec): ArchiveState => (archiveEnabled(t, a) ? "ENABLED" : "DISABLED");

function summary(t: Tables, a: ArchiveRec): Archive {
  return {
    ArchiveName: a.name,
    EventSourceArn: a.source,
    State: stateOf(t, a),
    RetentionDays: a.retentionDays,
    SizeBytes: a.sizeBytes,
    EventCount: a.eventCount,
    CreationTime: new Date(a.created),
  };
}

/** Writes the archive's managed rule (its pattern from the archive's) with its one target. */
function putArchiveRule(ctx: HandlerContext, a: ArchiveRec): void {
  const name = archiveRuleName(a.name);
  const old = tables(ctx).rules.get(`${a.bus}|${name}`);
  saveRule(ctx, {
    name,
    bus: a.bus,
    arn: ruleArn(ctx, a.bus, name),
    eventPattern: archiveRulePattern(a.eventPattern),
    state: old?.state ?? "ENABLED",
    managedBy: ARCHIVE_MANAGER,
    createdBy: ctx.account,
    created: old?.created ?? ctx.now(),
    tags: [],
    targets: [archiveTarget(a, ctx.region, partitionOf(ctx.region))],
  });
}

/** A pattern as an archive takes it: EventBridge's grammar, and a JSON object (its rule adds a field to it). */
function checkPattern(pattern: string | undefined): void {
  if (pattern === undefined) return;
  compilePattern(pattern);
  compilePattern(archiveRulePattern(pattern));
}

export const archives = {
  createArchive(input, ctx) {
    const bus = mustBus(ctx, busNameOf(input.EventSourceArn));
    const t = tables(ctx);
    if (t.archives.get(input.ArchiveName)) throw new ResourceAlreadyExistsException(`Archive ${input.ArchiveName} already exists.`);
    checkPattern(input.EventPattern);
    const a: ArchiveRec = {
      name: input.ArchiveName,
      arn: archiveArn(ctx, input.ArchiveName),
      source: bus.arn,
      bus: bus.name,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
      retentionDays: input.RetentionDays ?? 0,
      ...(input.KmsKeyIdentifier ? { kmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      eventCount: 0,
      sizeBytes: 0,
      created: ctx.now(),
    };
    transaction(ctx, () => {
      t.archives.put(a.name, a);
      putArchiveRule(ctx, a);
    });
    if (a.retentionDays) ctx.startAtBoot(); // its sweep runs from the service's start
    // AWS answers while the archive is still being made (CREATING); it is ENABLED once its rule is in place, which
    // here is before the answer: DescribeArchive says ENABLED from then on.
    return { ArchiveArn: a.arn, State: "CREATING", CreationTime: new Date(a.created) };
  },

  describeArchive(input, ctx) {
    const t = tables(ctx);
    const a = mustArchive(t, input.ArchiveName);
    return {
      ArchiveArn: a.arn,
      ArchiveName: a.name,
      EventSourceArn: a.source,
      ...(a.description !== undefined ? { Description: a.description } : {}),
      ...(a.eventPattern !== undefined ? { EventPattern: a.eventPattern } : {}),
      ...(a.kmsKeyIdentifier ? { KmsKeyIdentifier: a.kmsKeyIdentifier } : {}),
      ...summary(t, a),
    };
  },

  listArchives(input, ctx) {
    const filters = [input.NamePrefix, input.EventSourceArn, input.State].filter((f) => f !== undefined).length;
    if (filters > 1) throw new ValidationException("At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.");
    const t = tables(ctx);
    const all = t.archives
      .list({ prefix: input.NamePrefix })
      .map((e) => summary(t, e.value))
      .filter((a) => (!input.EventSourceArn || a.EventSourceArn === input.EventSourceArn) && (!input.State || a.State === input.State));
    const page = pageByKey(all, (a) => a.ArchiveName!, {
      operation: "ListArchives",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: `${input.NamePrefix ?? ""}|${input.EventSourceArn ?? ""}|${input.State ?? ""}`,
    });
    return { Archives: page.items, ...(page.next ? { NextToken: page.next } : {}) };
  },

  updateArchive(input, ctx) {
    const t = tables(ctx);
    const a = mustArchive(t, input.ArchiveName);
    checkPattern(input.EventPattern);
    if (input.Description !== undefined) a.description = input.Description;
    if (input.EventPattern !== undefined) a.eventPattern = input.EventPattern || undefined;
    if (input.RetentionDays !== undefined) a.retentionDays = input.RetentionDays;
    if (input.KmsKeyIdentifier !== undefined) a.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
    transaction(ctx, () => {
      t.archives.put(a.name, a);
      if (input.EventPattern !== undefined) putArchiveRule(ctx, a);
    });
    if (a.retentionDays) ctx.startAtBoot();
    return { ArchiveArn: a.arn, State: "UPDATING", CreationTime: new Date(a.created) };
  },

  deleteArchive(input, ctx) {
    const t = tables(ctx);
    const a = mustArchive(t, input.ArchiveName);
    transaction(ctx, () => {
      deleteRule(ctx, a.bus, archiveRuleName(a.name));
      dropArchived(t, a.name);
      t.archives.delete(a.name);
    });
    return {};
  },
} satisfies Partial<EventbridgeApi>;
