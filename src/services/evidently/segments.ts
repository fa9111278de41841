// Segments: Create/Get/List/DeleteSegment, ListSegmentReferences, TestSegmentPattern. A segment's pattern is an
// EventBridge event pattern matched against an evaluation's EvaluationContext (AWS's CreateSegment: "For more
// information about segment pattern syntax, see Segment rule pattern syntax", which points at EventBridge's
// grammar); Stratus reads it with core/event-pattern.ts in EventBridge's dialect (prefix, suffix, anything-but,
// numeric, exists, equals-ignore-case, wildcard, cidr, $or). Compiled patterns are cached by their text.
import type { HandlerContext } from "../../core/context.js";
import { parseEventPattern, type EventPattern } from "../../core/event-pattern.js";
import { ConflictException, ValidationException, type EvidentlyApi, type RefResource, type Segment } from "./api.generated.js";
import { page } from "./projects.js";
import { checkTagMap } from "./tags.js";
import { findSegment, segmentArn, tables, type ExperimentRec, type LaunchRec, type SegmentRec, insertNew } from "./state.js";

const compiled = new Map<string, EventPattern>();

/** The pattern compiled (refusing one that is not a valid pattern with AWS's ValidationException and event-ruler's reason). */
export function segmentPattern(text: string): EventPattern {
  let p = compiled.get(text);
  if (!p) {
    p = parseEventPattern(text, { allowEmpty: true }, (message) => new ValidationException(`Invalid segment pattern: ${message}`)); // unverified wording
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(text, p);
  }
  return p;
}

/** The launches and experiments that name a segment (launches in a step's SegmentOverrides). */
function references(ctx: HandlerContext, name: string): { launches: LaunchRec[]; experiments: ExperimentRec[] } {
  const t = tables(ctx);
  return {
    launches: t.launches
      .list()
      .map((e) => e.value)
      .filter((l) => l.steps?.some((s) => s.segmentOverrides?.some((o) => segName(o.segment) === name))),
    experiments: t.experiments
      .list()
      .map((e) => e.value)
      .filter((e) => e.segment === name),
  };
}

const segName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

function segmentOut(ctx: HandlerContext, s: SegmentRec): Segment {
  const refs = references(ctx, s.name);
  return {
    arn: s.arn,
    name: s.name,
    pattern: s.pattern,
    ...(s.description !== undefined ? { description: s.description } : {}),
    createdTime: new Date(s.created),
    lastUpdatedTime: new Date(s.modified),
    launchCount: refs.launches.length,
    experimentCount: refs.experiments.length,
    ...(Object.keys(s.tags).length ? { tags: s.tags } : {}),
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export const segments = {
  createSegment(input, ctx) {
    segmentPattern(input.pattern);
    checkTagMap(input.tags);
    const now = ctx.now();
    const rec: SegmentRec = {
      name: input.name,
      arn: segmentArn(ctx, input.name),
      pattern: input.pattern,
      ...(input.description !== undefined ? { description: input.description } : {}),
      tags: input.tags ?? {},
      created: now,
      modified: now,
    };
    insertNew(tables(ctx).segments, input.name, rec, "segment", input.name);
    return { segment: segmentOut(ctx, rec) };
  },
  getSegment(input, ctx) {
    return { segment: segmentOut(ctx, findSegment(ctx, input.segment)) };
  },
  listSegments(input, ctx) {
    const all = tables(ctx)
      .segments.list()
      .map((e) => e.value);
    const r = page("ListSegments", all, (s) => s.name, input);
    return { segments: r.items.map((s) => segmentOut(ctx, s)), ...(r.next ? { nextToken: r.next } : {}) };
  },
  deleteSegment(input, ctx) {
    const s = findSegment(ctx, input.segment);
    const refs = references(ctx, s.name);
    if (refs.launches.length || refs.experiments.length)
      throw new ConflictException(`Segment ${s.name} is used by launches or experiments and cannot be deleted.`, {
        resourceId: s.name,
        resourceType: "segment",
      }); // unverified wording
    tables(ctx).segments.delete(s.name);
    return {};
  },
  listSegmentReferences(input, ctx) {
    const s = findSegment(ctx, input.segment);
    const refs = references(ctx, s.name);
    const items: RefResource[] = (input.type === "LAUNCH" ? refs.launches : refs.experiments).map((r) => ({
      arn: r.arn,
      name: r.name,
      type: input.type === "LAUNCH" ? "aws.evidently.splits" : "aws.evidently.onlineab",
      status: r.status,
      lastUpdatedOn: iso(r.modified),
      ...(r.started !== undefined ? { startTime: iso(r.started) } : {}),
      ...(r.ended !== undefined ? { endTime: iso(r.ended) } : {}),
    }));
    const p = page("ListSegmentReferences", items, (r) => r.arn!, input, `${s.name}|${input.type}`);
    return { referencedBy: p.items, ...(p.next ? { nextToken: p.next } : {}) };
  },
  testSegmentPattern(input) {
    const pattern = segmentPattern(input.pattern);
    let payload: unknown;
    try {
      payload = JSON.parse(input.payload);
    } catch {
      throw new ValidationException("The payload is not valid JSON."); // unverified wording
    }
    return { match: pattern.matches(payload) };
  },
} satisfies Partial<EvidentlyApi>;

export { segName };
