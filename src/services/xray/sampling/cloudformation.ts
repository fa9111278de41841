// AWS::XRay::SamplingRule and AWS::XRay::ResourcePolicy for CloudFormation (core/resources.ts), through X-Ray's own
// operations. Per the CloudFormation reference: a sampling rule's Ref is its ARN, GetAtt RuleARN; its properties are
// the SamplingRule object (RuleName inside it, or the top-level RuleName) and Tags; a rule the template does not name
// gets a generated one (at most 32 characters). A resource policy's Ref is its PolicyName. Renaming either replaces
// it: a new one is made and the old one deleted in the cleanup phase (replacesItself, since these types have no
// schema in models/cloudformation-types.json to say which properties replace).
import { isServiceError } from "../../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../../core/resources.js";
import type { SamplingRule, Tag } from "../api.generated.js";
import { RULE_NOT_FOUND } from "./rules.js";

const ruleOf = (req: ResourceRequest): SamplingRule & { RuleName: string } => {
  const spec = (req.properties.SamplingRule ?? {}) as SamplingRule;
  const name = spec.RuleName ?? (req.properties.RuleName as string | undefined) ?? req.physicalId?.split("/").pop() ?? req.generateName(32);
  return { ...spec, RuleName: name };
};

const ruleResult = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { RuleARN: arn } });

async function deleteRule(req: ResourceRequest & { physicalId: string }): Promise<void> {
  try {
    await req.ctx.client("xray").deleteSamplingRule({ RuleARN: req.physicalId });
  } catch (e) {
    // Already gone: CloudFormation's delete is idempotent.
    if (!(isServiceError(e) && e.code === "InvalidRequestException" && e.message === RULE_NOT_FOUND)) throw e;
  }
}

async function createRule(req: ResourceRequest) {
  const out = await req.ctx.client("xray").createSamplingRule({
    SamplingRule: ruleOf(req),
    Tags: req.properties.Tags as Tag[] | undefined,
  });
  return ruleResult(out.SamplingRuleRecord!.SamplingRule!.RuleARN!);
}

async function putPolicy(req: ResourceRequest) {
  const name = req.properties.PolicyName as string;
  const doc = req.properties.PolicyDocument;
  await req.ctx.client("xray").putResourcePolicy({
    PolicyName: name,
    PolicyDocument: typeof doc === "string" ? doc : JSON.stringify(doc),
    BypassPolicyLockoutCheck: req.properties.BypassPolicyLockoutCheck as boolean | undefined,
  });
  return { physicalId: name, ref: name };
}

export default {
  "AWS::XRay::SamplingRule": {
    replacesItself: true,
    create: createRule,
    async update(req) {
      const rule = ruleOf(req);
      if (rule.RuleName !== req.physicalId.split("/").pop()) return createRule(req);
      const xray = req.ctx.client("xray");
      const { RuleName, RuleARN: _arn, Version: _v, ...fields } = rule;
      await xray.updateSamplingRule({ SamplingRuleUpdate: { RuleName, ...fields } });
      const before = new Set(((req.previous.Tags as Tag[] | undefined) ?? []).map((t) => t.Key));
      const now = (req.properties.Tags as Tag[] | undefined) ?? [];
      const gone = [...before].filter((k) => !now.some((t) => t.Key === k));
      if (gone.length) await xray.untagResource({ ResourceARN: req.physicalId, TagKeys: gone });
      if (now.length) await xray.tagResource({ ResourceARN: req.physicalId, Tags: now });
      return ruleResult(req.physicalId);
    },
    delete: deleteRule,
    async read({ ctx, physicalId }) {
      const name = physicalId.split("/").pop();
      const rules = await ctx.client("xray").getSamplingRules({});
      const rec = rules.SamplingRuleRecords?.find((r) => r.SamplingRule?.RuleName === name);
      if (!rec) return undefined;
      const tags = (await ctx.client("xray").listTagsForResource({ ResourceARN: physicalId })).Tags ?? [];
      return { RuleARN: physicalId, SamplingRule: rec.SamplingRule, ...(tags.length ? { Tags: tags } : {}) };
    },
    async list(ctx) {
      const rules = await ctx.client("xray").getSamplingRules({});
      return (rules.SamplingRuleRecords ?? []).flatMap((r) =>
        r.SamplingRule?.RuleName !== "Default" && r.SamplingRule?.RuleARN ? [r.SamplingRule.RuleARN] : [],
      );
    },
  },
  "AWS::XRay::ResourcePolicy": {
    replacesItself: true,
    create: putPolicy,
    // A new name is a new policy (the old one goes in the cleanup phase); the same name is put again.
    update: putPolicy,
    async delete(req) {
      await req.ctx.client("xray").deleteResourcePolicy({ PolicyName: req.physicalId });
    },
    async read({ ctx, physicalId }) {
      const all = await ctx.client("xray").listResourcePolicies({});
      const p = all.ResourcePolicies?.find((x) => x.PolicyName === physicalId);
      return p ? { PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument } : undefined;
    },
    async list(ctx) {
      return ((await ctx.client("xray").listResourcePolicies({})).ResourcePolicies ?? []).flatMap((p) => (p.PolicyName ? [p.PolicyName] : []));
    },
  },
} satisfies ResourceProviders;
