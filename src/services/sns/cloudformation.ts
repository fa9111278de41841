// AWS::SNS::Topic for CloudFormation (core/resources.ts), through SNS's own operations. Ref is the topic ARN;
// GetAtt: TopicArn, TopicName. A topic the template does not name gets `<stack>-<logicalId>-<RANDOM>` (256
// characters at most, ".fifo" kept for a FIFO topic). Subscription entries subscribe at creation.
//
// AWS::SNS::Subscription subscribes with its attributes; Ref and GetAtt Arn are the subscription ARN
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html,
// "Return values"). AWS::SNS::TopicPolicy sets the Policy attribute of each topic in Topics and puts SNS's default
// policy back on delete; Ref and GetAtt Id are a generated id, `<stack>-<logicalId>-<RANDOM>` (aws-resource-sns-
// topicpolicy.html: Ref returns the Id).
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import { defaultPolicy } from "./topics.js";

/** Properties that are topic attributes, by their attribute names. */
const ATTRIBUTES: Record<string, string> = {
  DisplayName: "DisplayName",
  FifoTopic: "FifoTopic",
  ContentBasedDeduplication: "ContentBasedDeduplication",
  KmsMasterKeyId: "KmsMasterKeyId",
  SignatureVersion: "SignatureVersion",
  TracingConfig: "TracingConfig",
  ArchivePolicy: "ArchivePolicy",
};

const tagsOf = (props: Record<string, unknown>): { Key: string; Value: string }[] =>
  ((props.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value) }));

function attributesOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, attr] of Object.entries(ATTRIBUTES)) {
    const v = props[prop];
    if (v !== undefined) out[attr] = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  }
  return out;
}

const result = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { TopicArn: arn, TopicName: arn.slice(arn.lastIndexOf(":") + 1) } });

// Attributes that read back as booleans or JSON documents in the registry schema's types.
const BOOLEAN_ATTRIBUTES = new Set(["FifoTopic", "ContentBasedDeduplication"]);
const JSON_ATTRIBUTES = new Set(["ArchivePolicy"]);

export default {
  "AWS::SNS::Topic": {
    async read({ ctx, physicalId: arn }) {
      const sns = ctx.client("sns");
      let attributes: Record<string, string>;
      try {
        attributes = (await sns.getTopicAttributes({ TopicArn: arn })).Attributes ?? {};
      } catch (e) {
        if (isServiceError(e) && e.code === "NotFound") return undefined;
        throw e;
      }
      const model: Record<string, unknown> = { TopicArn: arn, TopicName: arn.slice(arn.lastIndexOf(":") + 1) };
      for (const [prop, attr] of Object.entries(ATTRIBUTES)) {
        const v = attributes[attr];
        if (v === undefined || v === "") continue;
        model[prop] = BOOLEAN_ATTRIBUTES.has(attr) ? v === "true" : JSON_ATTRIBUTES.has(attr) ? JSON.parse(v) : v;
      }
      const tags = (await sns.listTagsForResource({ ResourceArn: arn })).Tags ?? [];
      if (tags.length) model.Tags = tags;
      const subscriptions = (await sns.listSubscriptionsByTopic({ TopicArn: arn })).Subscriptions ?? [];
      if (subscriptions.length) model.Subscription = subscriptions.map((x) => ({ Endpoint: x.Endpoint, Protocol: x.Protocol }));
      const { DataProtectionPolicy } = await sns.getDataProtectionPolicy({ ResourceArn: arn });
      if (DataProtectionPolicy) model.DataProtectionPolicy = JSON.parse(DataProtectionPolicy);
      return model;
    },
    async list(ctx) {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("sns").listTopics({ NextToken });
        arns.push(...(page.Topics ?? []).flatMap((t) => (t.TopicArn ? [t.TopicArn] : [])));
        NextToken = page.NextToken;
      } while (NextToken);
      return arns;
    },
    async create(req) {
      const p = req.properties;
      const fifo = p.FifoTopic === true || p.FifoTopic === "true";
      const name = (p.TopicName as string | undefined) ?? req.generateName(256, { suffix: fifo ? ".fifo" : "" });
      const sns = req.ctx.client("sns");
      const { TopicArn } = await sns.createTopic({
        Name: name,
        Attributes: attributesOf(p),
        Tags: p.Tags === undefined ? undefined : tagsOf(p),
        DataProtectionPolicy: p.DataProtectionPolicy === undefined ? undefined : JSON.stringify(p.DataProtectionPolicy),
      });
      for (const s of (p.Subscription as { Endpoint: string; Protocol: string }[] | undefined) ?? []) {
        await sns.subscribe({ TopicArn: TopicArn!, Protocol: s.Protocol, Endpoint: s.Endpoint });
      }
      return result(TopicArn!);
    },
    async update(req) {
      const sns = req.ctx.client("sns");
      const now = attributesOf(req.properties);
      for (const [name, value] of Object.entries(now)) {
        if (name === "FifoTopic") continue; // createOnly
        if (attributesOf(req.previous)[name] !== value) await sns.setTopicAttributes({ TopicArn: req.physicalId, AttributeName: name, AttributeValue: value });
      }
      // Tags: those no longer given are removed, the rest (re)set.
      const before = tagsOf(req.previous);
      const after = tagsOf(req.properties);
      const gone = before.map((t) => t.Key).filter((k) => !after.some((t) => t.Key === k));
      if (gone.length) await sns.untagResource({ ResourceArn: req.physicalId, TagKeys: gone });
      if (after.length && JSON.stringify(before) !== JSON.stringify(after)) await sns.tagResource({ ResourceArn: req.physicalId, Tags: after });
      return result(req.physicalId);
    },
    async delete(req) {
      try {
        await req.ctx.client("sns").deleteTopic({ TopicArn: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "NotFound")) throw e;
      }
    },
  },
  "AWS::SNS::Subscription": {
    async create(req) {
      const p = req.properties;
      const { SubscriptionArn } = await req.ctx.client("sns").subscribe({
        TopicArn: String(p.TopicArn),
        Protocol: String(p.Protocol),
        Endpoint: p.Endpoint === undefined ? undefined : String(p.Endpoint),
        Attributes: subscriptionAttributes(p),
        ReturnSubscriptionArn: true,
      });
      return { physicalId: SubscriptionArn!, ref: SubscriptionArn!, attributes: { Arn: SubscriptionArn! } };
    },
    async update(req) {
      const sns = req.ctx.client("sns");
      const before = subscriptionAttributes(req.previous);
      const now = subscriptionAttributes(req.properties);
      // A removed attribute goes back to SNS's default (no policy, raw delivery off).
      for (const name of Object.keys(before)) if (now[name] === undefined) now[name] = name === "RawMessageDelivery" ? "false" : "";
      // FilterPolicyScope first: the filter policy is checked against it.
      const names = Object.keys(now).sort((a, b) => Number(b === "FilterPolicyScope") - Number(a === "FilterPolicyScope"));
      for (const name of names) {
        if (before[name] !== now[name]) {
          await sns.setSubscriptionAttributes({ SubscriptionArn: req.physicalId, AttributeName: name, AttributeValue: now[name] });
        }
      }
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Arn: req.physicalId } };
    },
    async delete(req) {
      try {
        await req.ctx.client("sns").unsubscribe({ SubscriptionArn: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && (e.code === "NotFound" || e.code === "InvalidParameter"))) throw e;
      }
    },
  },
  "AWS::SNS::TopicPolicy": {
    async create(req) {
      const id = req.generateName(256);
      await setTopicPolicies(req, topicsOf(req.properties), jsonText(req.properties.PolicyDocument));
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    async update(req) {
      const now = topicsOf(req.properties);
      await setTopicPolicies(
        req,
        topicsOf(req.previous).filter((t) => !now.includes(t)),
        undefined,
      );
      await setTopicPolicies(req, now, jsonText(req.properties.PolicyDocument));
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
    },
    async delete(req) {
      await setTopicPolicies(req, topicsOf(req.properties), undefined);
    },
  },
} satisfies ResourceProviders;

const jsonText = (v: unknown): string => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

/** The subscription attributes among a Subscription's properties (same names as SNS's attributes). */
const SUBSCRIPTION_ATTRIBUTES = [
  "DeliveryPolicy",
  "FilterPolicy",
  "FilterPolicyScope",
  "RawMessageDelivery",
  "RedrivePolicy",
  "ReplayPolicy",
  "SubscriptionRoleArn",
];

function subscriptionAttributes(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SUBSCRIPTION_ATTRIBUTES) if (props[name] !== undefined) out[name] = jsonText(props[name]);
  return out;
}

const topicsOf = (props: Record<string, unknown>): string[] => (Array.isArray(props.Topics) ? props.Topics.map(String) : []);

/** Sets each topic's Policy; `undefined` puts SNS's default policy back, skipping topics already gone. */
async function setTopicPolicies(req: ResourceRequest, topics: string[], policy: string | undefined): Promise<void> {
  const sns = req.ctx.client("sns");
  for (const arn of topics) {
    try {
      await sns.setTopicAttributes({ TopicArn: arn, AttributeName: "Policy", AttributeValue: policy ?? defaultPolicy(arn, arn.split(":")[4] ?? "") });
    } catch (e) {
      if (!(policy === undefined && isServiceError(e) && e.code === "NotFound")) throw e;
    }
  }
}
