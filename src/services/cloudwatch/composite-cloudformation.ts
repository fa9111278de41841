// AWS::CloudWatch::CompositeAlarm for CloudFormation (core/resources.ts), through PutCompositeAlarm: Ref is the alarm's
// name and GetAtt Arn its ARN (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-compositealarm.html#aws-resource-cloudwatch-compositealarm-return-values);
// a name the template leaves out is `<stack>-<logicalId>-<RANDOM>`. PutCompositeAlarm replaces the configuration in
// place (AlarmName is create-only); tags change through TagResource and UntagResource.
import { syncTags } from "./cloudformation-tags.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ReadRequest, ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { PutCompositeAlarmInput, Tag } from "./api.generated.js";

const PROPS = new Set([
  "AlarmName",
  "AlarmRule",
  "AlarmDescription",
  "ActionsEnabled",
  "OKActions",
  "AlarmActions",
  "InsufficientDataActions",
  "ActionsSuppressor",
  "ActionsSuppressorWaitPeriod",
  "ActionsSuppressorExtensionPeriod",
  "Tags",
]);

const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === "true");

function putInput(name: string, p: Record<string, unknown>): PutCompositeAlarmInput {
  const extra = Object.keys(p).filter((k) => !PROPS.has(k));
  if (extra.length)
    throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::CloudWatch::CompositeAlarm properties ${extra.join(", ")} yet.`, 400);
  return {
    AlarmName: name,
    AlarmRule: p.AlarmRule as string,
    AlarmDescription: p.AlarmDescription as string | undefined,
    ActionsEnabled: bool(p.ActionsEnabled),
    OKActions: p.OKActions as string[] | undefined,
    AlarmActions: p.AlarmActions as string[] | undefined,
    InsufficientDataActions: p.InsufficientDataActions as string[] | undefined,
    ActionsSuppressor: p.ActionsSuppressor as string | undefined,
    ActionsSuppressorWaitPeriod: num(p.ActionsSuppressorWaitPeriod),
    ActionsSuppressorExtensionPeriod: num(p.ActionsSuppressorExtensionPeriod),
    Tags: p.Tags as Tag[] | undefined,
  };
}

async function describe(req: { ctx: ResourceRequest["ctx"] }, name: string) {
  const { CompositeAlarms = [] } = await req.ctx.client("cloudwatch").describeAlarms({ AlarmNames: [name], AlarmTypes: ["CompositeAlarm"] });
  return CompositeAlarms[0];
}

async function result(req: ResourceRequest, name: string) {
  return { physicalId: name, ref: name, attributes: { Arn: (await describe(req, name))?.AlarmArn } };
}

export default {
  "AWS::CloudWatch::CompositeAlarm": {
    async create(req) {
      const name = (req.properties.AlarmName as string | undefined) ?? req.generateName(255);
      await req.ctx.client("cloudwatch").putCompositeAlarm(putInput(name, req.properties));
      return result(req, name);
    },
    async update(req) {
      const cw = req.ctx.client("cloudwatch");
      await cw.putCompositeAlarm(putInput(req.physicalId, req.properties));
      const r = await result(req, req.physicalId);
      if (r.attributes.Arn) await syncTags(req, r.attributes.Arn);
      return r;
    },
    async read(req: ReadRequest) {
      const a = await describe(req, req.physicalId);
      if (!a) return undefined;
      const out: Record<string, unknown> = {
        AlarmName: a.AlarmName,
        Arn: a.AlarmArn,
        AlarmRule: a.AlarmRule,
        ActionsEnabled: a.ActionsEnabled,
        OKActions: a.OKActions,
        AlarmActions: a.AlarmActions,
        InsufficientDataActions: a.InsufficientDataActions,
      };
      for (const [k, v] of Object.entries({
        AlarmDescription: a.AlarmDescription,
        ActionsSuppressor: a.ActionsSuppressor,
        ActionsSuppressorWaitPeriod: a.ActionsSuppressorWaitPeriod,
        ActionsSuppressorExtensionPeriod: a.ActionsSuppressorExtensionPeriod,
      }))
        if (v !== undefined) out[k] = v;
      return out;
    },
    notRead: ["Tags"],
    async list(ctx) {
      const { CompositeAlarms = [] } = await ctx.client("cloudwatch").describeAlarms({ AlarmTypes: ["CompositeAlarm"] });
      return CompositeAlarms.map((a) => a.AlarmName!);
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch").deleteAlarms({ AlarmNames: [req.physicalId] });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ResourceNotFound")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
