// SNS topics: create (standard and FIFO, idempotent), delete, list, attributes, tags.
import type { HandlerContext } from "../../core/context.js";
import { mergeTags, removeTags, type MergeTagsOptions } from "../../core/tags.js";
import type { SnsApi, Tag } from "./api.generated.js";
import { InvalidParameterException, ResourceNotFoundException, TagLimitExceededException } from "./api.generated.js";
import { effectiveDeliveryPolicy, validateDeliveryPolicy } from "./delivery-policy.js";
import { invalidArn, transaction, isFifo, mustTopic, pageOf, parseArn, tables, topicArn, type TopicRec } from "./state.js";

const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const FEEDBACK = /^(Application|Firehose|HTTP|Lambda|SQS)(SuccessFeedbackRoleArn|SuccessFeedbackSampleRate|FailureFeedbackRoleArn)$/;
const SETTABLE = new Set([
  "DeliveryPolicy",
  "DisplayName",
  "Policy",
  "TracingConfig",
  "KmsMasterKeyId",
  "SignatureVersion",
  "ContentBasedDeduplication",
  "ArchivePolicy",
  "FifoThroughputScope",
]);

export function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

/** Checks one settable attribute's value as AWS does; returns the value to store. */
function checkAttribute(name: string, value: string, fifo: boolean): string {
  switch (name) {
    case "Policy":
    case "ArchivePolicy":
      try {
        if (typeof JSON.parse(value) !== "object") throw new Error();
      } catch {
        throw new InvalidParameterException(`Invalid parameter: ${name} Error: null`);
      }
      return value;
    case "DeliveryPolicy":
      if (value) validateDeliveryPolicy(value, "DeliveryPolicy");
      return value;
    case "SignatureVersion":
      if (value !== "1" && value !== "2") throw new InvalidParameterException("Invalid parameter: SignatureVersion");
      return value;
    case "TracingConfig":
      if (value !== "Active" && value !== "PassThrough") throw new InvalidParameterException("Invalid parameter: TracingConfig");
      return value;
    case "ContentBasedDeduplication":
      if (!fifo)
        throw new InvalidParameterException("Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics");
      if (value !== "true" && value !== "false") throw new InvalidParameterException("Invalid parameter: ContentBasedDeduplication");
      return value;
    case "FifoThroughputScope":
      if (!fifo || (value !== "Topic" && value !== "MessageGroup")) throw new InvalidParameterException("Invalid parameter: FifoThroughputScope");
      return value;
    default:
      return value;
  }
}

const settable = (name: string) => SETTABLE.has(name) || FEEDBACK.test(name);

function topicAttributes(ctx: HandlerContext, t: TopicRec): Record<string, string> {
  const subs = tables(ctx).subs.list({ prefix: `${t.name}:` });
  const confirmed = subs.filter((s) => !s.value.pending).length;
  const out: Record<string, string> = {
    Policy: defaultPolicy(t.arn, ctx.account),
    Owner: ctx.account,
    SubscriptionsPending: String(subs.length - confirmed),
    TopicArn: t.arn,
    EffectiveDeliveryPolicy: JSON.stringify(effectiveDeliveryPolicy(t.attributes.DeliveryPolicy)),
    SubscriptionsConfirmed: String(confirmed),
    DisplayName: "",
    SubscriptionsDeleted: String(t.subscriptionsDeleted),
    ...t.attributes,
  };
  if (isFifo(t)) out.ContentBasedDeduplication ??= "false";
  delete out.DataProtectionPolicy; // served by GetDataProtectionPolicy, not as an attribute
  return out;
}

export function mustTaggable(ctx: HandlerContext, arn: string): TopicRec {
  const p = parseArn(arn);
  const t = p && p.account === ctx.account && p.region === ctx.region && p.service === "sns" ? tables(ctx).topics.get(p.resource) : undefined;
  if (!t) throw new ResourceNotFoundException("Resource does not exist");
  return t;
}

const TAGS: MergeTagsOptions<Tag> = {
  key: (t) => t.Key,
  // A key twice in one request: InvalidParameter, as LocalStack's AWS-recorded tests/aws/services/sns/test_sns.snapshot.json
  // has it for TagResource (TestSNSTopicCrud::test_tags, duplicate-key-error, recorded 2025-10-13); CreateTopic's Tags
  // are held to the same rule (unverified against AWS).
  duplicates: () => new InvalidParameterException("Invalid parameter: Duplicated keys are not allowed."),
  max: 50,
  tooMany: () => new TagLimitExceededException("Could not complete request: tag quota of per resource exceeded"),
};

const sameTags = (a: Tag[], b: Tag[]) => a.length === b.length && a.every((t) => b.some((u) => u.Key === t.Key && u.Value === t.Value));

export const topics = {
  createTopic({ Name, Attributes = {}, Tags, DataProtectionPolicy }, ctx) {
    const fifo = Attributes.FifoTopic === "true";
    if (Attributes.FifoTopic !== undefined && Attributes.FifoTopic !== "true" && Attributes.FifoTopic !== "false")
      throw new InvalidParameterException("Invalid parameter: FifoTopic");
    if (fifo && !FIFO_NAME.test(Name))
      throw new InvalidParameterException(
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
      );
    if (!fifo && !NAME.test(Name)) throw new InvalidParameterException("Invalid parameter: Topic Name");
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(Attributes)) {
      if (k === "FifoTopic") continue;
      if (!settable(k)) throw new InvalidParameterException(`Invalid parameter: Attributes Reason: Unknown attribute ${k}`);
      attributes[k] = checkAttribute(k, v, fifo);
    }
    if (fifo) attributes.FifoTopic = "true";
    if (DataProtectionPolicy) attributes.DataProtectionPolicy = checkAttribute("Policy", DataProtectionPolicy, fifo);
    const t = tables(ctx);
    const existing = t.topics.get(Name);
    if (existing) {
      // Idempotent: the same name answers the same ARN unless the request asks for something different.
      for (const [k, v] of Object.entries(attributes))
        if ((existing.attributes[k] ?? "") !== v)
          throw new InvalidParameterException("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
      if (Tags && !sameTags(existing.tags, Tags))
        throw new InvalidParameterException("Invalid parameter: Tags Reason: Topic already exists with different tags");
      return { TopicArn: existing.arn };
    }
    const rec: TopicRec = {
      name: Name,
      arn: topicArn(ctx, Name),
      createdAt: ctx.now(),
      attributes,
      tags: mergeTags([], Tags, TAGS),
      seq: 0,
      subscriptionsDeleted: 0,
    };
    t.topics.insert(Name, rec);
    return { TopicArn: rec.arn };
  },

  deleteTopic({ TopicArn }, ctx) {
    const p = parseArn(TopicArn);
    if (!p || p.service !== "sns") throw invalidArn("TopicArn", TopicArn);
    // AWS: deleting a topic that does not exist is not an error. Its subscriptions go with it.
    if (p.account !== ctx.account || p.region !== ctx.region) return {};
    const t = tables(ctx);
    transaction(ctx, () => {
      for (const s of t.subs.list({ prefix: `${p.resource}:` })) t.subs.delete(s.key);
      for (const d of t.dedup.list({ prefix: `${p.resource}\n` })) t.dedup.delete(d.key);
      t.topics.delete(p.resource);
    });
    return {};
  },

  listTopics({ NextToken }, ctx) {
    const page = pageOf("ListTopics", tables(ctx).topics, NextToken, 100);
    return { Topics: page.items.map((t) => ({ TopicArn: t.arn })), NextToken: page.next };
  },

  getTopicAttributes({ TopicArn }, ctx) {
    return { Attributes: topicAttributes(ctx, mustTopic(ctx, TopicArn)) };
  },

  setTopicAttributes({ TopicArn, AttributeName, AttributeValue = "" }, ctx) {
    const t = mustTopic(ctx, TopicArn);
    if (!settable(AttributeName)) throw new InvalidParameterException("Invalid parameter: AttributeName");
    const value = checkAttribute(AttributeName, AttributeValue, isFifo(t));
    const attributes = { ...t.attributes };
    // An empty Policy or DeliveryPolicy goes back to the default.
    if (value === "" && AttributeName !== "DisplayName") delete attributes[AttributeName];
    else attributes[AttributeName] = value;
    tables(ctx).topics.put(t.name, { ...t, attributes });
    return {};
  },

  tagResource({ ResourceArn, Tags }, ctx) {
    const t = mustTaggable(ctx, ResourceArn);
    tables(ctx).topics.put(t.name, { ...t, tags: mergeTags(t.tags, Tags, TAGS) });
    return {};
  },

  untagResource({ ResourceArn, TagKeys }, ctx) {
    const t = mustTaggable(ctx, ResourceArn);
    tables(ctx).topics.put(t.name, { ...t, tags: removeTags(t.tags, TagKeys, TAGS.key) });
    return {};
  },

  listTagsForResource({ ResourceArn }, ctx) {
    return { Tags: mustTaggable(ctx, ResourceArn).tags };
  },

  getDataProtectionPolicy({ ResourceArn }, ctx) {
    return { DataProtectionPolicy: mustTaggable(ctx, ResourceArn).attributes.DataProtectionPolicy ?? "" };
  },

  putDataProtectionPolicy({ ResourceArn, DataProtectionPolicy }, ctx) {
    const t = mustTaggable(ctx, ResourceArn);
    tables(ctx).topics.put(t.name, { ...t, attributes: { ...t.attributes, DataProtectionPolicy: checkAttribute("Policy", DataProtectionPolicy, isFifo(t)) } });
    return {};
  },
} satisfies Partial<SnsApi>;
