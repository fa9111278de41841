// CloudWatch Synthetics' records (per account and region): canaries with what Stratus made for them in Lambda (the
// function and the layer holding the canary's code), their runs, and groups; the canary's and group's ARNs; the
// service's errors as AWS words them.
import type { HandlerContext } from "../../core/context.js";
import { regionalArn, type ArnScope } from "../../core/arn.js";
import { defineState, regional, type TablesOf } from "../../core/state.js";
import {
  type ArtifactConfigInput,
  type BrowserConfig,
  type CanaryRunStateReasonCode,
  type CanaryState,
  type CanaryStateReasonCode,
  type ProvisionedResourceCleanupSetting,
  ResourceNotFoundException,
} from "./api.generated.js";

export interface CanaryCodeRec {
  Handler: string;
  S3Bucket?: string;
  S3Key?: string;
  S3Version?: string;
  /** The inline zip, as base64 (kept so an update that changes only the handler can publish the layer again). */
  zipBase64?: string;
}

export interface CanaryRec {
  id: string;
  name: string;
  code: CanaryCodeRec;
  executionRoleArn: string;
  schedule: { Expression: string; DurationInSeconds: number; RetryConfig?: { MaxRetries: number } };
  runConfig: { TimeoutInSeconds: number; MemoryInMB: number; ActiveTracing: boolean; EphemeralStorage?: number };
  /** Environment variables are write-only on AWS (never returned): kept for the function. */
  environment?: Record<string, string>;
  successRetentionPeriodInDays: number;
  failureRetentionPeriodInDays: number;
  artifactS3Location: string;
  artifactConfig?: ArtifactConfigInput;
  runtimeVersion: string;
  vpcConfig?: { SubnetIds?: string[]; SecurityGroupIds?: string[]; Ipv6AllowedForDualStack?: boolean };
  provisionedResourceCleanup?: ProvisionedResourceCleanupSetting;
  /** ResourcesToReplicateTags included "lambda-function": the function carries the canary's tags. */
  tagsToFunction?: boolean;
  browserConfigs?: BrowserConfig[];
  tags: Record<string, string>;
  state: CanaryState;
  stateReason?: string;
  stateReasonCode?: CanaryStateReasonCode;
  created: number;
  lastModified: number;
  lastStarted?: number;
  lastStopped?: number;
  /** `cwsyn-<name>-<uuid>`: the Lambda function and layer Stratus made for the canary. */
  functionName: string;
  /** The function version ARN the canary runs (EngineArn), once provisioned. */
  engineArn?: string;
  layerVersionArn?: string;
  /** Provisioning to do (create or update), durable so a restart finishes it; `start` when StartCanary waits on it. */
  pending?: "create" | "update";
  startAfterProvision?: boolean;
  /** The state an update returns the canary to (READY, STOPPED, RUNNING, ERROR). */
  stateBeforeUpdate?: CanaryState;
  /** When the running canary's next run is due (epoch ms); absent when none is scheduled. */
  nextRunAt?: number;
  /** The key of the canary's latest run in `runs` (DescribeCanariesLastRun reads it without listing the runs). */
  lastRun?: string;
  /** Epoch ms a schedule with DurationInSeconds > 0 stops at. */
  stopAt?: number;
}

export interface RunRec {
  id: string;
  canary: string;
  state: "RUNNING" | "PASSED" | "FAILED";
  stateReason?: string;
  stateReasonCode?: CanaryRunStateReasonCode;
  started: number;
  completed?: number;
  artifactS3Location: string;
}

export interface GroupRec {
  id: string;
  name: string;
  arn: string;
  tags: Record<string, string>;
  created: number;
  lastModified: number;
  /** Canary ARNs, in the order they were associated. */
  resources: string[];
}

const specs = {
  canaries: regional<CanaryRec>(),
  /** Keyed `<canary>|<10^15 - started, 15 digits>|<run id>`: a canary's runs share a prefix, newest first. */
  runs: regional<RunRec>(),
  /** Keyed by the group's lower-cased name (names are unique regardless of case). */
  groups: regional<GroupRec>(),
};
export const synState = defineState("synthetics", specs);
export type Tables = TablesOf<typeof specs>;
export const tables = (ctx: HandlerContext): Tables => synState.of(ctx);
export { transaction } from "../../core/state.js";

export const runKey = (canary: string, started: number, id: string): string => `${canary}|${String(1e15 - started).padStart(15, "0")}|${id}`;
export const canaryArn = (where: ArnScope, name: string): string => regionalArn(where, "synthetics", `canary:${name}`);
export const groupArn = (where: ArnScope, id: string): string => regionalArn(where, "synthetics", `group:${id}`);

/** `Canary <name> not found.` — unverified wording (no recorded AWS response found). */
export function mustCanary(ctx: HandlerContext, name: string): CanaryRec {
  const c = tables(ctx).canaries.get(name);
  if (!c) throw new ResourceNotFoundException(`Canary ${name} not found.`); // unverified wording
  return c;
}
