// CloudWatch Evidently's records and tables (per account and region): projects, and in each project its features,
// launches and experiments (keyed `<project>|<name>`, so a project's share a prefix); segments; the events
// PutProjectEvents and evaluations recorded for results; data deliveries not yet done. ARNs and the lookups every
// handler shares (a project by name or ARN, a feature, a segment) with their not-found errors.
import type { HandlerContext } from "../../core/context.js";
import { parseArn, regionalArn, type ArnScope } from "../../core/arn.js";
import { defineState, regional, type TablesOf } from "../../core/state.js";
import {
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
  type MetricDefinitionConfig,
  type ProjectAppConfigResource,
  type ProjectDataDelivery,
  type SegmentOverride,
  type VariableValue,
} from "./api.generated.js";

export interface ProjectRec {
  name: string;
  arn: string;
  description?: string;
  dataDelivery?: ProjectDataDelivery;
  /** Stored and returned; Stratus does not read feature configurations from AppConfig. */
  appConfigResource?: ProjectAppConfigResource;
  tags: Record<string, string>;
  created: number;
  modified: number;
}

export type ValueType = "STRING" | "LONG" | "DOUBLE" | "BOOLEAN";

export interface FeatureRec {
  project: string;
  name: string;
  arn: string;
  description?: string;
  variations: { name: string; value: VariableValue }[];
  valueType: ValueType;
  defaultVariation: string;
  entityOverrides: Record<string, string>;
  evaluationStrategy: "ALL_RULES" | "DEFAULT_VARIATION";
  tags: Record<string, string>;
  created: number;
  modified: number;
}

export type RunStatus = "CREATED" | "UPDATING" | "RUNNING" | "COMPLETED" | "CANCELLED";

export interface StepRec {
  /** Epoch ms. */
  startTime: number;
  groupWeights: Record<string, number>;
  segmentOverrides?: SegmentOverride[];
}

export interface LaunchRec {
  project: string;
  name: string;
  arn: string;
  description?: string;
  groups: { name: string; description?: string; feature: string; variation: string }[];
  metricMonitors: MetricDefinitionConfig[];
  randomizationSalt: string;
  steps?: StepRec[];
  status: RunStatus;
  statusReason?: string;
  started?: number;
  ended?: number;
  tags: Record<string, string>;
  created: number;
  modified: number;
}

export interface ExperimentRec {
  project: string;
  name: string;
  arn: string;
  description?: string;
  treatments: { name: string; description?: string; feature: string; variation: string }[];
  metricGoals: { desiredChange?: "INCREASE" | "DECREASE"; metricDefinition: MetricDefinitionConfig }[];
  controlTreatmentName: string;
  treatmentWeights: Record<string, number>;
  randomizationSalt: string;
  /** Thousandths of a percent of the audience (0–100,000). */
  samplingRate: number;
  segment?: string;
  status: RunStatus;
  statusReason?: string;
  started?: number;
  ended?: number;
  analysisCompleteTime?: number;
  tags: Record<string, string>;
  created: number;
  modified: number;
}

export interface SegmentRec {
  name: string;
  arn: string;
  pattern: string;
  description?: string;
  tags: Record<string, string>;
  created: number;
  modified: number;
}

/** An event kept for experiment results: PutProjectEvents' and the evaluations a launch or experiment decided. */
export interface EventRec {
  type: "aws.evidently.evaluation" | "aws.evidently.custom";
  /** Epoch ms. */
  timestamp: number;
  /** The event's data, a JSON document. */
  data: string;
}

/** Lines acknowledged for a project's data delivery and not yet written there (resumed after a restart). */
export interface DeliveryRec {
  project: string;
  lines: string[];
  created: number;
}

const specs = {
  projects: regional<ProjectRec>(),
  features: regional<FeatureRec>(),
  launches: regional<LaunchRec>(),
  experiments: regional<ExperimentRec>(),
  segments: regional<SegmentRec>(),
  /** Keyed `<project>|<timestamp, 15 digits>|<id>`: a project's events in time order. */
  events: regional<EventRec>(),
  deliveries: regional<DeliveryRec>("pending-deliveries"),
};
export const evState = defineState("evidently", specs);
export type Tables = TablesOf<typeof specs>;
export const tables = (ctx: HandlerContext): Tables => evState.of(ctx);
export { transaction } from "../../core/state.js";

export const childKey = (project: string, name: string): string => `${project}|${name}`;
export const eventKey = (project: string, ts: number, id: string): string => `${project}|${String(ts).padStart(15, "0")}|${id}`;

export const projectArn = (w: ArnScope, p: string) => regionalArn(w, "evidently", `project/${p}`);
export const childArn = (w: ArnScope, p: string, kind: "feature" | "launch" | "experiment", n: string) =>
  regionalArn(w, "evidently", `project/${p}/${kind}/${n}`);
export const segmentArn = (w: ArnScope, s: string) => regionalArn(w, "evidently", `segment/${s}`);

/** The name a project reference (a name or an ARN) gives. */
export function projectName(ref: string): string {
  if (!ref.startsWith("arn:")) return ref;
  const m = /^project\/([^/]+)$/.exec(parseArn(ref)?.resource ?? "");
  if (!m) throw new ValidationException(`Invalid project ARN: ${ref}`); // unverified wording
  return m[1]!;
}

/** The name a segment reference (a name or an ARN) gives. */
export function segmentName(ref: string): string {
  if (!ref.startsWith("arn:")) return ref;
  const m = /^segment\/([^/]+)$/.exec(parseArn(ref)?.resource ?? "");
  if (!m) throw new ValidationException(`Invalid segment ARN: ${ref}`); // unverified wording
  return m[1]!;
}

/** AWS's not-found error with its resourceId and resourceType fields. */
export const notFound = (type: string, id: string) =>
  new ResourceNotFoundException(`${type[0]!.toUpperCase()}${type.slice(1)} ${id} does not exist.`, { resourceId: id, resourceType: type }); // unverified wording

export function findProject(ctx: HandlerContext, ref: string): ProjectRec {
  const name = projectName(ref);
  const p = tables(ctx).projects.get(name);
  if (!p) throw notFound("project", name);
  return p;
}

export function findFeature(ctx: HandlerContext, project: string, name: string): FeatureRec {
  const f = tables(ctx).features.get(childKey(project, name));
  if (!f) throw notFound("feature", name);
  return f;
}

export function findSegment(ctx: HandlerContext, ref: string): SegmentRec {
  const name = segmentName(ref);
  const s = tables(ctx).segments.get(name);
  if (!s) throw notFound("segment", name);
  return s;
}

/** Every record of a project's child table (features, launches or experiments), in name order. */
export const childrenOf = <T>(table: { list(o: { prefix: string }): { value: T }[] }, project: string): T[] =>
  table.list({ prefix: `${project}|` }).map((e) => e.value);

export const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

/** Stores a new record, or refuses with AWS's ConflictException when one of that name exists (`in` names its project). */
export function insertNew<T>(table: { insert(key: string, value: T): boolean }, key: string, rec: T, type: string, name: string, inProject?: string): void {
  if (!table.insert(key, rec))
    throw new ConflictException(`${type[0]!.toUpperCase()}${type.slice(1)} ${name} already exists${inProject ? ` in project ${inProject}` : ""}.`, {
      resourceId: name,
      resourceType: type,
    }); // unverified wording
}
