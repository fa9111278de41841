// AWS::SNS::Topic for CloudFormation (core/resources.ts), through SNS's own operations. Ref is the topic ARN;
// GetAtt: TopicArn, TopicName. A topic the template does not name gets `<stack>-<logicalId>-<RANDOM>` (256
// characters at most, ".fifo" kept for a FIFO topic). Subscription entries subscribe at creation.
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders } from "../../core/resources.js";

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

function attributesOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, attr] of Object.entries(ATTRIBUTES)) {
    const v = props[prop];
    if (v !== undefined) out[attr] = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  }
  return out;
}

const result = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { TopicArn: arn, TopicName: arn.slice(arn.lastIndexOf(":") + 1) } });

export default {
  "AWS::SNS::Topic": {
    async create(req) {
      const p = req.properties;
      const fifo = p.FifoTopic === true || p.FifoTopic === "true";
      const name = (p.TopicName as string | undefined) ?? req.generateName(256, { suffix: fifo ? ".fifo" : "" });
      const sns = req.ctx.client("sns");
      const { TopicArn } = await sns.createTopic({
        Name: name,
        Attributes: attributesOf(p),
        Tags: p.Tags as { Key: string; Value: string }[] | undefined,
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
} satisfies ResourceProviders;
