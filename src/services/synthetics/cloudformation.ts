// AWS::Synthetics::Canary and AWS::Synthetics::Group for CloudFormation (core/resources.ts) and Cloud Control, through
// Synthetics' own operations. A canary's create waits until it is READY (or RUNNING with StartCanaryAfterCreation);
// Code.Script is zipped in the runtime's layout (Node.js: nodejs/node_modules/<file>.js; Python: python/<file>.py,
// <file> from the Handler) as AWS does for inline code. Ref is the canary's (or group's) name; GetAtt: Id, State and
// Code.SourceLocationArn for a canary, Id for a group (the resource specification's attributes). The reserved
// aws:cloudformation:* tags are not put on canaries and groups: Synthetics' TagResource refuses aws: keys.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { listAllIds, ResourceFailure, type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import { writeZip } from "../../core/zip.js";
import type { CanaryCodeInput, CreateCanaryRequest } from "./api.generated.js";
import { runtimeSpec } from "./runtime-versions.js";
import { canaryArn } from "./state.js";

type Props = Record<string, unknown>;
const WAIT_MS = 120_000;

const tagMap = (p: Props): Record<string, string> | undefined => {
  const list = (p.Tags as { Key: string; Value: string }[] | undefined)?.filter((t) => !t.Key.startsWith("aws:"));
  return list?.length ? Object.fromEntries(list.map((t) => [t.Key, String(t.Value)])) : undefined;
};
const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean => v === true || v === "true";
const gone = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";

/** The canary's Code as CreateCanary takes it; an inline Script zipped as the runtime's code layout. */
function codeOf(p: Props): CanaryCodeInput {
  const code = (p.Code ?? {}) as Props;
  const handler = String(code.Handler ?? "");
  if (code.Script !== undefined) {
    const file = handler.slice(0, handler.lastIndexOf("."));
    const python = runtimeSpec(String(p.RuntimeVersion))?.language === "python";
    const path = python ? `python/${file}.py` : `nodejs/node_modules/${file}.js`;
    return { Handler: handler, ZipFile: writeZip({ [path]: String(code.Script) }) };
  }
  return {
    Handler: handler,
    ...(code.S3Bucket !== undefined ? { S3Bucket: String(code.S3Bucket), S3Key: String(code.S3Key) } : {}),
    ...(code.S3ObjectVersion !== undefined ? { S3Version: String(code.S3ObjectVersion) } : {}),
  };
}

function settings(p: Props) {
  const schedule = p.Schedule as Props;
  const run = p.RunConfig as Props | undefined;
  const enc = (p.ArtifactConfig as { S3Encryption?: { EncryptionMode?: string; KmsKeyArn?: string } } | undefined)?.S3Encryption;
  return {
    ArtifactS3Location: String(p.ArtifactS3Location),
    ExecutionRoleArn: String(p.ExecutionRoleArn),
    RuntimeVersion: String(p.RuntimeVersion),
    Schedule: {
      Expression: String(schedule.Expression),
      ...(schedule.DurationInSeconds !== undefined ? { DurationInSeconds: Number(schedule.DurationInSeconds) } : {}),
    },
    ...(run
      ? {
          RunConfig: {
            ...(run.TimeoutInSeconds !== undefined ? { TimeoutInSeconds: num(run.TimeoutInSeconds) } : {}),
            ...(run.MemoryInMB !== undefined ? { MemoryInMB: num(run.MemoryInMB) } : {}),
            ...(run.ActiveTracing !== undefined ? { ActiveTracing: bool(run.ActiveTracing) } : {}),
            ...(run.EnvironmentVariables ? { EnvironmentVariables: run.EnvironmentVariables as Record<string, string> } : {}),
          },
        }
      : {}),
    ...(p.SuccessRetentionPeriod !== undefined ? { SuccessRetentionPeriodInDays: num(p.SuccessRetentionPeriod) } : {}),
    ...(p.FailureRetentionPeriod !== undefined ? { FailureRetentionPeriodInDays: num(p.FailureRetentionPeriod) } : {}),
    ...(p.VPCConfig ? { VpcConfig: p.VPCConfig as CreateCanaryRequest["VpcConfig"] } : {}),
    ...(enc ? { ArtifactConfig: { S3Encryption: enc as never } } : {}),
    ...(p.ProvisionedResourceCleanup ? { ProvisionedResourceCleanup: p.ProvisionedResourceCleanup as "AUTOMATIC" | "OFF" } : {}),
  };
}

/** Polls the canary until `done` holds for its state; a canary in ERROR fails the resource with its reason. */
async function waitFor(
  ctx: HandlerContext,
  name: string,
  done: (state: string) => boolean,
): Promise<{ Id?: string; State?: string; SourceLocationArn?: string }> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const { Canary } = await ctx.client("synthetics").getCanary({ Name: name });
    const state = Canary?.Status?.State ?? "";
    if (done(state)) return { Id: Canary?.Id, State: state, SourceLocationArn: Canary?.Code?.SourceLocationArn };
    if (state === "ERROR") throw new ResourceFailure(`Canary ${name} is in ERROR: ${Canary?.Status?.StateReason ?? ""}`);
    if (Date.now() > until) throw new ResourceFailure(`Canary ${name} did not become ready in time (state ${state})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const canaryResult = (name: string, c: { Id?: string; State?: string; SourceLocationArn?: string }) => ({
  physicalId: name,
  ref: name,
  attributes: { Id: c.Id, State: c.State, "Code.SourceLocationArn": c.SourceLocationArn },
});

async function startIfAsked(req: ResourceRequest, name: string) {
  const syn = req.ctx.client("synthetics");
  if (!bool(req.properties.StartCanaryAfterCreation)) return waitFor(req.ctx, name, (s) => s === "READY" || s === "STOPPED" || s === "RUNNING");
  const now = await waitFor(req.ctx, name, (s) => s === "READY" || s === "STOPPED" || s === "RUNNING");
  if (now.State !== "RUNNING") await syn.startCanary({ Name: name });
  return waitFor(req.ctx, name, (s) => s === "RUNNING" || s === "STOPPED");
}

export default {
  "AWS::Synthetics::Canary": {
    async create(req) {
      const p = req.properties;
      const name = String(p.Name);
      await req.ctx.client("synthetics").createCanary({
        Name: name,
        Code: codeOf(p),
        ...settings(p),
        ...(tagMap(p) ? { Tags: tagMap(p) } : {}),
        ...(Array.isArray(p.ResourcesToReplicateTags) ? { ResourcesToReplicateTags: p.ResourcesToReplicateTags as "lambda-function"[] } : {}),
      });
      return canaryResult(name, await startIfAsked(req, name));
    },

    async update(req) {
      const name = req.physicalId;
      const syn = req.ctx.client("synthetics");
      await syn.updateCanary({ Name: name, Code: codeOf(req.properties), ...settings(req.properties) });
      await waitFor(req.ctx, name, (s) => s !== "UPDATING");
      const { Tags = {} } = await syn.listTagsForResource({ ResourceArn: canaryArn(req.ctx, name) });
      const wanted = tagMap(req.properties) ?? {};
      const removed = Object.keys(Tags).filter((k) => !(k in wanted));
      if (removed.length) await syn.untagResource({ ResourceArn: canaryArn(req.ctx, name), TagKeys: removed });
      if (Object.keys(wanted).length) await syn.tagResource({ ResourceArn: canaryArn(req.ctx, name), Tags: wanted });
      return canaryResult(name, await startIfAsked(req, name));
    },

    async read({ ctx, physicalId }) {
      const c = await ctx
        .client("synthetics")
        .getCanary({ Name: physicalId })
        .catch((e) => {
          if (gone(e)) return undefined;
          throw e;
        });
      const k = c?.Canary;
      if (!k) return undefined;
      return {
        Name: k.Name,
        Id: k.Id,
        State: k.Status?.State,
        Code: { Handler: k.Code?.Handler, SourceLocationArn: k.Code?.SourceLocationArn },
        ArtifactS3Location: k.ArtifactS3Location,
        ExecutionRoleArn: k.ExecutionRoleArn,
        RuntimeVersion: k.RuntimeVersion,
        Schedule: k.Schedule,
        RunConfig: k.RunConfig,
        SuccessRetentionPeriod: k.SuccessRetentionPeriodInDays,
        FailureRetentionPeriod: k.FailureRetentionPeriodInDays,
        ...tagsProperty(k.Tags),
      };
    },
    notRead: [
      "Code.Script",
      "Code.S3Bucket",
      "Code.S3Key",
      "Code.S3ObjectVersion",
      "RunConfig.EnvironmentVariables",
      "StartCanaryAfterCreation",
      "DeleteLambdaResourcesOnCanaryDeletion",
      "ResourcesToReplicateTags",
    ],

    list: (ctx) =>
      listAllIds(async (token) => {
        const r = await ctx.client("synthetics").describeCanaries({ NextToken: token });
        return { ids: (r.Canaries ?? []).map((c) => c.Name), next: r.NextToken };
      }),

    async delete(req) {
      const syn = req.ctx.client("synthetics");
      const name = req.physicalId;
      try {
        const state = await waitFor(req.ctx, name, (s) => s !== "CREATING" && s !== "UPDATING" && s !== "STARTING" && s !== "STOPPING").catch((e) => {
          if (e instanceof ResourceFailure) return { State: "ERROR" };
          throw e;
        });
        if (state.State === "RUNNING") {
          await syn.stopCanary({ Name: name });
          await waitFor(req.ctx, name, (s) => s === "STOPPED");
        }
        await syn.deleteCanary({ Name: name, DeleteLambda: bool(req.properties.DeleteLambdaResourcesOnCanaryDeletion) });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    },
  },

  "AWS::Synthetics::Group": {
    async create(req) {
      const p = req.properties;
      const name = String(p.Name);
      const syn = req.ctx.client("synthetics");
      const { Group } = await syn.createGroup({ Name: name, ...(tagMap(p) ? { Tags: tagMap(p) } : {}) });
      for (const arn of (p.ResourceArns as string[] | undefined) ?? []) await syn.associateResource({ GroupIdentifier: name, ResourceArn: arn });
      return { physicalId: name, ref: name, attributes: { Id: Group?.Id } };
    },

    async update(req) {
      const syn = req.ctx.client("synthetics");
      const name = req.physicalId;
      const want = new Set((req.properties.ResourceArns as string[] | undefined) ?? []);
      const had = new Set((req.previous.ResourceArns as string[] | undefined) ?? []);
      for (const arn of had) if (!want.has(arn)) await syn.disassociateResource({ GroupIdentifier: name, ResourceArn: arn }).catch(() => {});
      for (const arn of want) if (!had.has(arn)) await syn.associateResource({ GroupIdentifier: name, ResourceArn: arn });
      const { Group } = await syn.getGroup({ GroupIdentifier: name });
      return { physicalId: name, ref: name, attributes: { Id: Group?.Id } };
    },

    list: (ctx) =>
      listAllIds(async (token) => {
        const r = await ctx.client("synthetics").listGroups({ NextToken: token });
        return { ids: (r.Groups ?? []).map((g) => g.Name), next: r.NextToken };
      }),

    async delete(req) {
      await req.ctx
        .client("synthetics")
        .deleteGroup({ GroupIdentifier: req.physicalId })
        .catch((e) => {
          if (!gone(e)) throw e;
        });
    },
  },
} satisfies ResourceProviders;
