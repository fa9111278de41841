// Canaries: CreateCanary/UpdateCanary (checked, stored, then provisioned in Lambda off the request path —
// provision.ts), GetCanary, DescribeCanaries (Names filter, paging), DeleteCanary (DeleteLambda), StartCanary,
// StopCanary, DescribeRuntimeVersions. State transitions and runs are runner.ts's. Dry runs (StartCanaryDryRun, and
// DryRunId on GetCanary/UpdateCanary/GetCanaryRuns) are not implemented: the operation answers NotImplemented.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  type Canary,
  type CanaryCodeInput,
  type CanaryRunConfigInput,
  ConflictException,
  type CreateCanaryRequest,
  type SyntheticsApi,
  type UpdateCanaryRequest,
  ValidationException,
} from "./api.generated.js";
import { deleteLambda } from "./provision.js";
import { runnerOf } from "./runner.js";
import { checkRuntimeForCreate, runtimeVersionList } from "./runtime-versions.js";
import { defaultTimeout, parseCanarySchedule } from "./schedule.js";
import { type CanaryCodeRec, type CanaryRec, canaryArn, mustCanary, tables } from "./state.js";

const invalidToken = () => new ValidationException("The specified NextToken is not valid."); // unverified wording

/**
 * The canary's code. Runtimes before syn-nodejs-puppeteer-3.4 / syn-python-selenium-1.1 required "<file>.handler"
 * (CreateCanary's Code.Handler documentation); every runtime Stratus accepts is later, where
 * <folder>/<file>.<function> is allowed: the model's pattern checks it.
 */
function codeOf(code: CanaryCodeInput): CanaryCodeRec {
  if (!code.Handler) throw new ValidationException("Handler is required."); // unverified wording
  const inline = code.ZipFile !== undefined && code.ZipFile.byteLength > 0;
  if (inline === Boolean(code.S3Bucket || code.S3Key)) throw new ValidationException("Specify either ZipFile or S3Bucket and S3Key for the canary's code."); // unverified wording
  if (!inline && !(code.S3Bucket && code.S3Key)) throw new ValidationException("Both S3Bucket and S3Key are required."); // unverified wording
  return {
    Handler: code.Handler,
    ...(inline ? { zipBase64: Buffer.from(code.ZipFile!).toString("base64") } : {}),
    ...(code.S3Bucket ? { S3Bucket: code.S3Bucket, S3Key: code.S3Key } : {}),
    ...(code.S3Version ? { S3Version: code.S3Version } : {}),
  };
}

function runConfigOf(rc: CanaryRunConfigInput | undefined, expression: string, prev?: CanaryRec["runConfig"]): CanaryRec["runConfig"] {
  const timeout = rc?.TimeoutInSeconds ?? prev?.TimeoutInSeconds ?? defaultTimeout(parseCanarySchedule(expression));
  const memory = rc?.MemoryInMB ?? prev?.MemoryInMB ?? 1000;
  if (memory % 64 !== 0 && memory !== 1000) throw new ValidationException("MemoryInMB must be a multiple of 64."); // unverified wording
  return {
    TimeoutInSeconds: timeout,
    MemoryInMB: memory,
    ActiveTracing: rc?.ActiveTracing ?? prev?.ActiveTracing ?? false,
    ...((rc?.EphemeralStorage ?? prev?.EphemeralStorage) ? { EphemeralStorage: rc?.EphemeralStorage ?? prev?.EphemeralStorage } : {}),
  };
}

function checkRetention(days: number | undefined): void {
  if (days !== undefined && (days < 1 || days > 455)) throw new ValidationException("Retention period must be between 1 and 455 days."); // unverified wording
}

function checkVpc(v: CreateCanaryRequest["VpcConfig"]): void {
  if (v && ((v.SubnetIds?.length ?? 0) > 0 || (v.SecurityGroupIds?.length ?? 0) > 0))
    throw new ValidationException("Stratus does not run canaries in a VPC: VpcConfig with subnets or security groups is not supported.");
}

export function toCanary(c: CanaryRec): Canary {
  return {
    Id: c.id,
    Name: c.name,
    Code: { ...(c.layerVersionArn ? { SourceLocationArn: c.layerVersionArn } : {}), Handler: c.code.Handler },
    ExecutionRoleArn: c.executionRoleArn,
    Schedule: {
      Expression: c.schedule.Expression,
      DurationInSeconds: c.schedule.DurationInSeconds,
      ...(c.schedule.RetryConfig ? { RetryConfig: c.schedule.RetryConfig } : {}),
    },
    RunConfig: c.runConfig,
    SuccessRetentionPeriodInDays: c.successRetentionPeriodInDays,
    FailureRetentionPeriodInDays: c.failureRetentionPeriodInDays,
    Status: { State: c.state, ...(c.stateReason ? { StateReason: c.stateReason } : {}), ...(c.stateReasonCode ? { StateReasonCode: c.stateReasonCode } : {}) },
    Timeline: {
      Created: new Date(c.created),
      LastModified: new Date(c.lastModified),
      ...(c.lastStarted ? { LastStarted: new Date(c.lastStarted) } : {}),
      ...(c.lastStopped ? { LastStopped: new Date(c.lastStopped) } : {}),
    },
    ArtifactS3Location: c.artifactS3Location,
    ...(c.engineArn ? { EngineArn: c.engineArn } : {}),
    RuntimeVersion: c.runtimeVersion,
    ...(c.vpcConfig ? { VpcConfig: c.vpcConfig } : {}),
    ...(c.provisionedResourceCleanup ? { ProvisionedResourceCleanup: c.provisionedResourceCleanup } : {}),
    ...(c.browserConfigs ? { BrowserConfigs: c.browserConfigs } : {}),
    Tags: c.tags,
    ArtifactConfig: c.artifactConfig ?? {},
  };
}

function createCanary(input: CreateCanaryRequest, ctx: HandlerContext) {
  const t = tables(ctx);
  if (t.canaries.get(input.Name)) throw new ValidationException(`A canary named ${input.Name} already exists.`); // unverified wording
  checkRuntimeForCreate(input.RuntimeVersion, ctx.now());
  parseCanarySchedule(input.Schedule.Expression);
  checkRetention(input.SuccessRetentionPeriodInDays);
  checkRetention(input.FailureRetentionPeriodInDays);
  checkVpc(input.VpcConfig);
  const now = ctx.now();
  const id = randomUUID();
  const c: CanaryRec = {
    id,
    name: input.Name,
    code: codeOf(input.Code),
    executionRoleArn: input.ExecutionRoleArn,
    schedule: {
      Expression: input.Schedule.Expression,
      DurationInSeconds: input.Schedule.DurationInSeconds ?? 0,
      ...(input.Schedule.RetryConfig ? { RetryConfig: input.Schedule.RetryConfig } : {}),
    },
    runConfig: runConfigOf(input.RunConfig, input.Schedule.Expression),
    ...(input.RunConfig?.EnvironmentVariables ? { environment: input.RunConfig.EnvironmentVariables } : {}),
    successRetentionPeriodInDays: input.SuccessRetentionPeriodInDays ?? 31,
    failureRetentionPeriodInDays: input.FailureRetentionPeriodInDays ?? 31,
    artifactS3Location: input.ArtifactS3Location,
    ...(input.ArtifactConfig ? { artifactConfig: input.ArtifactConfig } : {}),
    runtimeVersion: input.RuntimeVersion,
    ...(input.VpcConfig ? { vpcConfig: input.VpcConfig } : {}),
    ...(input.ProvisionedResourceCleanup ? { provisionedResourceCleanup: input.ProvisionedResourceCleanup } : {}),
    ...(input.BrowserConfigs ? { browserConfigs: input.BrowserConfigs } : {}),
    ...(input.ResourcesToReplicateTags?.includes("lambda-function") ? { tagsToFunction: true } : {}),
    tags: input.Tags ?? {},
    state: "CREATING",
    created: now,
    lastModified: now,
    functionName: `cwsyn-${input.Name}-${randomUUID()}`,
    pending: "create",
  };
  t.canaries.put(c.name, c);
  ctx.startAtBoot();
  runnerOf(ctx).provisionLater(ctx.account, ctx.region, c.name);
  return { Canary: toCanary(c) };
}

function updateCanary(input: UpdateCanaryRequest, ctx: HandlerContext) {
  const c = mustCanary(ctx, input.Name);
  if (c.state === "CREATING" || c.state === "UPDATING" || c.state === "STARTING" || c.state === "STOPPING" || c.state === "DELETING")
    throw new ConflictException(`Canary is in a state that can't be updated: ${c.state}`); // after AWS's "can't be deleted" wording
  if (input.DryRunId) throw new ValidationException("Stratus does not keep dry runs: UpdateCanary with DryRunId is not supported.");
  if (input.RuntimeVersion && input.RuntimeVersion !== c.runtimeVersion) checkRuntimeForCreate(input.RuntimeVersion, ctx.now());
  if (input.Schedule) parseCanarySchedule(input.Schedule.Expression);
  checkRetention(input.SuccessRetentionPeriodInDays);
  checkRetention(input.FailureRetentionPeriodInDays);
  checkVpc(input.VpcConfig);
  const runtimeVersion = input.RuntimeVersion ?? c.runtimeVersion;
  const expression = input.Schedule?.Expression ?? c.schedule.Expression;
  const next: CanaryRec = {
    ...c,
    ...(input.Code
      ? { code: input.Code.ZipFile || input.Code.S3Bucket ? codeOf(input.Code) : { ...c.code, Handler: input.Code.Handler ?? c.code.Handler } }
      : {}),
    ...(input.ExecutionRoleArn ? { executionRoleArn: input.ExecutionRoleArn } : {}),
    runtimeVersion,
    ...(input.Schedule
      ? {
          schedule: {
            Expression: expression,
            DurationInSeconds: input.Schedule.DurationInSeconds ?? 0,
            ...(input.Schedule.RetryConfig ? { RetryConfig: input.Schedule.RetryConfig } : {}),
          },
        }
      : {}),
    runConfig: runConfigOf(input.RunConfig, expression, c.runConfig),
    ...(input.RunConfig?.EnvironmentVariables ? { environment: input.RunConfig.EnvironmentVariables } : {}),
    successRetentionPeriodInDays: input.SuccessRetentionPeriodInDays ?? c.successRetentionPeriodInDays,
    failureRetentionPeriodInDays: input.FailureRetentionPeriodInDays ?? c.failureRetentionPeriodInDays,
    artifactS3Location: input.ArtifactS3Location ?? c.artifactS3Location,
    ...(input.ArtifactConfig ? { artifactConfig: input.ArtifactConfig } : {}),
    ...(input.VpcConfig ? { vpcConfig: input.VpcConfig } : {}),
    ...(input.ProvisionedResourceCleanup ? { provisionedResourceCleanup: input.ProvisionedResourceCleanup } : {}),
    ...(input.BrowserConfigs ? { browserConfigs: input.BrowserConfigs } : {}),
    pending: c.engineArn ? "update" : "create",
    stateBeforeUpdate: c.state === "ERROR" && !c.engineArn ? "READY" : c.state,
    lastModified: ctx.now(),
  };
  const runner = runnerOf(ctx);
  runner.cancel(ctx.account, ctx.region, c.name);
  runner.setState(ctx, { ...next, state: c.state }, "UPDATING", {});
  runner.provisionLater(ctx.account, ctx.region, c.name, Boolean(input.Code?.ZipFile || input.Code?.S3Bucket || input.Code?.Handler));
  return {};
}

export const canaries = {
  createCanary,
  updateCanary,

  getCanary(input, ctx) {
    if (input.DryRunId) throw new ValidationException("Stratus does not keep dry runs: GetCanary with DryRunId is not supported.");
    return { Canary: toCanary(mustCanary(ctx, input.Name)) };
  },

  describeCanaries(input, ctx) {
    const names = input.Names ? new Set(input.Names) : undefined;
    const all = tables(ctx)
      .canaries.list()
      .map((e) => e.value)
      .filter((c) => !names || names.has(c.name));
    const page = pageByKey(all, (c) => c.name, {
      operation: "DescribeCanaries",
      token: input.NextToken,
      max: input.MaxResults ?? 20,
      invalid: invalidToken,
      bind: input.Names?.join(","),
    });
    return { Canaries: page.items.map((c) => toCanary(c)), ...(page.next ? { NextToken: page.next } : {}) };
  },

  async deleteCanary(input, ctx) {
    const c = mustCanary(ctx, input.Name);
    // "Canary is in a state that can't be deleted: RUNNING" (the AWS CDK's integration test quotes AWS's error).
    if (c.state === "RUNNING" || c.state === "STARTING" || c.state === "STOPPING" || c.state === "CREATING" || c.state === "UPDATING")
      throw new ConflictException(`Canary is in a state that can't be deleted: ${c.state}`);
    const runner = runnerOf(ctx);
    runner.cancel(ctx.account, ctx.region, c.name);
    const t = tables(ctx);
    t.canaries.delete(c.name);
    for (const { key } of t.runs.list({ prefix: `${c.name}|` })) t.runs.delete(key);
    const arn = canaryArn(ctx, c.name);
    for (const { key, value: g } of t.groups.list())
      if (g.resources.includes(arn)) t.groups.put(key, { ...g, resources: g.resources.filter((r) => r !== arn) });
    if (input.DeleteLambda || c.provisionedResourceCleanup === "AUTOMATIC") await deleteLambda(ctx, c);
    return {};
  },

  startCanary(input, ctx) {
    const c = mustCanary(ctx, input.Name);
    if (c.state !== "READY" && c.state !== "STOPPED" && !(c.state === "CREATING" || c.state === "UPDATING"))
      throw new ConflictException(`Canary is in a state that can't be started: ${c.state}`); // after AWS's "can't be deleted" wording
    const runner = runnerOf(ctx);
    if (c.pending) tables(ctx).canaries.put(c.name, { ...c, startAfterProvision: true });
    else runner.start(ctx, c);
    return {};
  },

  stopCanary(input, ctx) {
    const c = mustCanary(ctx, input.Name);
    if (c.state !== "RUNNING") throw new ConflictException(`Canary is in a state that can't be stopped: ${c.state}`); // after AWS's "can't be deleted" wording
    runnerOf(ctx).stop(ctx, c);
    return {};
  },

  describeRuntimeVersions(input) {
    const page = pageByKey(runtimeVersionList(), (r) => r.VersionName!, {
      operation: "DescribeRuntimeVersions",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      invalid: invalidToken,
    });
    return { RuntimeVersions: page.items, ...(page.next ? { NextToken: page.next } : {}) };
  },
} satisfies Partial<SyntheticsApi>;
