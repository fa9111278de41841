// AWS::SQS::Queue for CloudFormation (core/resources.ts), through SQS's own operations. Ref is the queue URL;
// GetAtt: Arn, QueueName, QueueUrl (the resource specification's attributes). A queue the template does not name
// gets `<stack>-<logicalId>-<RANDOM>` (80 characters at most, ".fifo" kept for a FIFO queue), as CloudFormation
// names it.
//
// AWS::SQS::QueuePolicy sets the Policy attribute of each queue in Queues (URLs) to PolicyDocument (an object or
// JSON text) and clears it on delete. Ref and GetAtt Id are a generated id, `<stack>-<logicalId>-<RANDOM>`, as AWS
// returns (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queuepolicy.html,
// "Return values": Ref returns the Id).
import { type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import { isServiceError } from "../../core/errors.js";

/** Properties that are queue attributes, as CloudFormation spells them (the same names as SQS's attributes). */
const ATTRIBUTES = [
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "DelaySeconds",
  "FifoQueue",
  "FifoThroughputLimit",
  "KmsDataKeyReusePeriodSeconds",
  "KmsMasterKeyId",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "ReceiveMessageWaitTimeSeconds",
  "RedriveAllowPolicy",
  "RedrivePolicy",
  "SqsManagedSseEnabled",
  "VisibilityTimeout",
];

/** A property value as SQS takes an attribute: JSON for the policies CloudFormation allows as objects. */
const attributeValue = (v: unknown): string => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

function attributesOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of ATTRIBUTES) if (props[a] !== undefined) out[a] = attributeValue(props[a]);
  return out;
}

const tagsOf = (props: Record<string, unknown>): Record<string, string> | undefined => {
  const tags = props.Tags as { Key: string; Value: string }[] | undefined;
  return tags?.length ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : undefined;
};

async function describe(req: ResourceRequest, url: string) {
  const { Attributes } = await req.ctx.client("sqs").getQueueAttributes({ QueueUrl: url, AttributeNames: ["QueueArn"] });
  const name = url.slice(url.lastIndexOf("/") + 1);
  return { physicalId: url, ref: url, attributes: { Arn: Attributes?.QueueArn, QueueName: name, QueueUrl: url } };
}

// How each attribute reads back as the registry schema types it (SQS answers every attribute as text).
const NUMBERS = new Set([
  "DelaySeconds",
  "KmsDataKeyReusePeriodSeconds",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "ReceiveMessageWaitTimeSeconds",
  "VisibilityTimeout",
]);
const BOOLEANS = new Set(["ContentBasedDeduplication", "FifoQueue", "SqsManagedSseEnabled"]);
const JSONS = new Set(["RedriveAllowPolicy", "RedrivePolicy"]);

const gone = (e: unknown) => isServiceError(e) && /QueueDoesNotExist|NonExistentQueue/.test(e.code);

export default {
  "AWS::SQS::Queue": {
    async read({ ctx, physicalId: url }) {
      const sqs = ctx.client("sqs");
      let attributes: Record<string, string>;
      let tags: Record<string, string>;
      try {
        attributes = (await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ["All"] })).Attributes ?? {};
        tags = (await sqs.listQueueTags({ QueueUrl: url })).Tags ?? {};
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const model: Record<string, unknown> = { QueueName: url.slice(url.lastIndexOf("/") + 1), QueueUrl: url, Arn: attributes.QueueArn };
      for (const a of ATTRIBUTES) {
        const v = attributes[a];
        if (v === undefined) continue;
        model[a] = NUMBERS.has(a) ? Number(v) : BOOLEANS.has(a) ? v === "true" : JSONS.has(a) ? JSON.parse(v) : v;
      }
      Object.assign(model, tagsProperty(tags));
      return model;
    },
    async list(ctx) {
      const urls: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("sqs").listQueues({ MaxResults: 1000, NextToken });
        urls.push(...(page.QueueUrls ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return urls;
    },
    async create(req) {
      const p = req.properties;
      const fifo = p.FifoQueue === true || p.FifoQueue === "true";
      const name = (p.QueueName as string | undefined) ?? req.generateName(80, { suffix: fifo ? ".fifo" : "" });
      const attributes = attributesOf(p);
      const { QueueUrl } = await req.ctx.client("sqs").createQueue({ QueueName: name, Attributes: attributes, tags: tagsOf(p) });
      return describe(req, QueueUrl!);
    },
    async update(req) {
      const sqs = req.ctx.client("sqs");
      const now = attributesOf(req.properties);
      // Attributes left out of the template go back to SQS's defaults, as CloudFormation resets them.
      const defaults: Record<string, string> = {
        DelaySeconds: "0",
        MaximumMessageSize: "262144",
        MessageRetentionPeriod: "345600",
        ReceiveMessageWaitTimeSeconds: "0",
        VisibilityTimeout: "30",
      };
      for (const a of Object.keys(attributesOf(req.previous))) if (now[a] === undefined && defaults[a] !== undefined) now[a] = defaults[a];
      if (Object.keys(now).length) await sqs.setQueueAttributes({ QueueUrl: req.physicalId, Attributes: now });
      const before = tagsOf(req.previous) ?? {};
      const after = tagsOf(req.properties) ?? {};
      const gone = Object.keys(before).filter((k) => !(k in after));
      if (gone.length) await sqs.untagQueue({ QueueUrl: req.physicalId, TagKeys: gone });
      if (Object.keys(after).length) await sqs.tagQueue({ QueueUrl: req.physicalId, Tags: after });
      return describe(req, req.physicalId);
    },
    async delete(req) {
      try {
        await req.ctx.client("sqs").deleteQueue({ QueueUrl: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && /QueueDoesNotExist|NonExistentQueue/.test(e.code))) throw e;
      }
    },
  },
  "AWS::SQS::QueuePolicy": {
    async create(req) {
      const id = req.generateName(256);
      await setPolicy(req, queuesOf(req.properties), attributeValue(req.properties.PolicyDocument));
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    async update(req) {
      const now = queuesOf(req.properties);
      // Queues left out of the list lose the policy; the others get the new document.
      await setPolicy(
        req,
        queuesOf(req.previous).filter((q) => !now.includes(q)),
        "",
        true,
      );
      await setPolicy(req, now, attributeValue(req.properties.PolicyDocument));
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
    },
    async delete(req) {
      await setPolicy(req, queuesOf(req.properties), "", true);
    },
  },
} satisfies ResourceProviders;

const queuesOf = (props: Record<string, unknown>): string[] => (Array.isArray(props.Queues) ? props.Queues.map(String) : []);

/** Sets (or, with "", clears) each queue's Policy; `tolerant`: a queue already gone is skipped. */
async function setPolicy(req: ResourceRequest, queues: string[], policy: string, tolerant = false): Promise<void> {
  const sqs = req.ctx.client("sqs");
  for (const url of queues) {
    try {
      await sqs.setQueueAttributes({ QueueUrl: url, Attributes: { Policy: policy } });
    } catch (e) {
      if (!(tolerant && isServiceError(e) && /QueueDoesNotExist|NonExistentQueue/.test(e.code))) throw e;
    }
  }
}
