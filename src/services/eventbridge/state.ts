// EventBridge's records and tables (per account and region): buses, rules with their targets, and the deliveries
// not yet done; bus and rule ARNs; the caller's bus from a name or ARN; the running instance.
import type { HandlerContext } from "../../core/context.js";
import { parseArn, regionalArn, type ArnScope } from "../../core/arn.js";
import { ServiceError } from "../../core/errors.js";
import { defineState, regional, type TablesOf } from "../../core/state.js";
import type { ServiceHost } from "../../core/service.js";
import { ManagedRuleException, ResourceNotFoundException, type Tag, type Target } from "./api.generated.js";

export interface BusRec {
  name: string;
  arn: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterArn?: string;
  /** The resource policy's statements (PutPermission / RemovePermission), AWS's document when any. */
  statements: Record<string, unknown>[];
  tags: Tag[];
  created: number;
  modified: number;
}

export interface RuleRec {
  name: string;
  bus: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
  description?: string;
  roleArn?: string;
  managedBy?: string;
  createdBy: string;
  /** Epoch ms the rule was first put: a rate() schedule counts from it. */
  created?: number;
  tags: Tag[];
  /** At most five, in the order they were first put. */
  targets: Target[];
}

/** An event matched to one target, not yet delivered: kept until it is delivered or finally fails, so a restart resumes it. */
export interface PendingRec {
  event: Record<string, unknown>;
  ruleArn: string;
  ruleName: string;
  target: Target;
  /** Epoch ms the event was ingested (its age for MaximumEventAgeInSeconds; `<aws.events.event.ingestion-time>`). */
  ingested: number;
  /** Attempts made so far. */
  attempts: number;
  dueAt: number;
}

/** An archive (archives.ts): its events are the rows of `archived` under `<name>|`, written by its managed rule. */
export interface ArchiveRec {
  name: string;
  arn: string;
  /** The source bus's ARN (EventSourceArn) and name. */
  source: string;
  bus: string;
  description?: string;
  /** The archive's own pattern as given (the managed rule's adds `replay-name` must not exist). */
  eventPattern?: string;
  /** 0: kept indefinitely. */
  retentionDays: number;
  kmsKeyIdentifier?: string;
  eventCount: number;
  sizeBytes: number;
  created: number;
}

/** One archived event as it was delivered, keyed `<archive>|<ingestion ms, 15 digits>|<event id>`. */
export interface ArchivedRec {
  event: Record<string, unknown>;
  size: number;
}

/** A replay (replays.ts): where it is in its archive, so a restart resumes it. */
export interface ReplayRec {
  name: string;
  arn: string;
  description?: string;
  archive: string;
  source: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStart: number;
  eventEnd: number;
  state: "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";
  stateReason?: string;
  replayStart: number;
  replayEnd?: number;
  lastReplayed?: number;
  /** The last archived row replayed (its key), absent before the first. */
  cursor?: string;
}

const specs = {
  buses: regional<BusRec>(),
  archives: regional<ArchiveRec>(),
  archived: regional<ArchivedRec>("archived-events"),
  replays: regional<ReplayRec>(),
  /** Keyed `<bus>|<rule>`: a bus's rules share a prefix (neither name may hold "|"). */
  rules: regional<RuleRec>(),
  pending: regional<PendingRec>("pending-deliveries"),
};
export const ebState = defineState("eventbridge", specs);
export type Tables = TablesOf<typeof specs>;
export const tables = (ctx: HandlerContext): Tables => ebState.of(ctx);
export { transaction } from "../../core/state.js";

export const DEFAULT_BUS = "default";
export const ruleKey = (bus: string, name: string): string => `${bus}|${name}`;
export const busArn = (where: ArnScope, name: string): string => regionalArn(where, "events", `event-bus/${name}`);
/** A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another. */
export const ruleArn = (where: ArnScope, bus: string, name: string): string =>
  regionalArn(where, "events", bus === DEFAULT_BUS ? `rule/${name}` : `rule/${bus}/${name}`);

export class ValidationException extends ServiceError {
  constructor(message: string) {
    super("ValidationException", message, 400, { senderFault: true });
  }
}

/** A NextToken this service did not hand out (or for other filters). */
export const invalidToken = (): ValidationException => new ValidationException("The NextToken provided is invalid."); // unverified wording

/** The bus an EventBusName (a name or an ARN) names; absent means the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return DEFAULT_BUS;
  if (!nameOrArn.startsWith("arn:")) return nameOrArn;
  const p = parseArn(nameOrArn);
  return p?.resource.startsWith("event-bus/") ? p.resource.slice("event-bus/".length) : nameOrArn;
}

/** The default bus exists in every account and region without being created; its record is written on first change. */
export function defaultBus(where: ArnScope): BusRec {
  return { name: DEFAULT_BUS, arn: busArn(where, DEFAULT_BUS), statements: [], tags: [], created: 0, modified: 0 };
}

export function findBus(t: Tables, where: ArnScope, name: string): BusRec | undefined {
  return t.buses.get(name) ?? (name === DEFAULT_BUS ? defaultBus(where) : undefined);
}

/** `ResourceNotFoundException: Event bus x does not exist.` (moto's and LocalStack's AWS-recorded wording). */
export function mustBus(ctx: HandlerContext, nameOrArn: string | undefined): BusRec {
  const name = busNameOf(nameOrArn);
  const bus = findBus(tables(ctx), ctx, name);
  if (!bus) throw new ResourceNotFoundException(`Event bus ${name} does not exist.`);
  return bus;
}

/** `Rule x does not exist on EventBus y.` (AWS's wording, quoted by many public tests). */
export function mustRule(ctx: HandlerContext, name: string, busNameOrArn: string | undefined): RuleRec {
  const bus = mustBus(ctx, busNameOrArn);
  const rule = tables(ctx).rules.get(ruleKey(bus.name, name));
  if (!rule) throw new ResourceNotFoundException(`Rule ${name} does not exist on EventBus ${bus.name}.`);
  return rule;
}

/**
 * Refuses a change to a rule another service manages (an archive's), unless forced where the operation allows it:
 * "<rule> is a managed rule. Set 'force' parameter to true to override." (AWS's answer, quoted in aws-nuke#448 and
 * cloud-custodian#10308).
 */
export function checkManaged(r: RuleRec | undefined, force?: boolean): void {
  if (r?.managedBy && !force) throw new ManagedRuleException(`${r.name} is a managed rule. Set 'force' parameter to true to override.`);
}

/** What EventBridge's start hook returns: the server it delivers from, and its scheduled rules' timers. */
export interface EbInstance {
  host: ServiceHost;
  schedules: import("./schedules.js").RuleSchedules;
  /** Each bus's enabled rules compiled into one matcher (matcher.ts). */
  matchers: import("./matcher.js").BusMatchers;
  /** Replays with a step armed, by `<account>/<region>/<name>` (replays.ts). */
  replaying: Set<string>;
}

/** Writes a rule (its pattern, state, targets or tags), so its bus's matcher is compiled again. */
export function saveRule(ctx: HandlerContext, r: RuleRec): void {
  tables(ctx).rules.put(ruleKey(r.bus, r.name), r);
  ctx.instance<EbInstance | undefined>()?.matchers.changed(ctx.account, ctx.region, r.bus);
}

/** Deletes a rule of the bus, so its matcher is compiled again. */
export function deleteRule(ctx: HandlerContext, bus: string, name: string): void {
  tables(ctx).rules.delete(ruleKey(bus, name));
  ctx.instance<EbInstance | undefined>()?.matchers.changed(ctx.account, ctx.region, bus);
}
export const hostOf = (ctx: HandlerContext): ServiceHost | undefined => ctx.instance<EbInstance | undefined>()?.host;
