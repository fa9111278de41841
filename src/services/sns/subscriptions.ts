// SNS subscriptions: subscribe (with the HTTP/S confirmation handshake), confirm, unsubscribe, list, attributes.
import { randomBytes, randomUUID } from "node:crypto";
import { globalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { SnsApi, Subscription } from "./api.generated.js";
import { InvalidParameterException } from "./api.generated.js";
import { effectiveDeliveryPolicy, validateDeliveryPolicy } from "./delivery-policy.js";
import { schedule, sendOnce } from "./delivery.js";
import { compileFilterPolicy, type FilterScope } from "./filter-policy.js";
import { transaction, baseUrl, isFifo, mustSub, mustTopic, pageOf, parseArn, tables, type SubRec, type TopicRec } from "./state.js";

const PROTOCOLS = new Set(["http", "https", "email", "email-json", "sms", "sqs", "lambda", "application", "firehose"]);
const NEEDS_CONFIRMATION = new Set(["http", "https", "email", "email-json"]);
const SETTABLE = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"]);

const invalid = (msg: string) => new InvalidParameterException(`Invalid parameter: ${msg}`);

function checkEndpoint(protocol: string, endpoint: string | undefined, topic: TopicRec): string {
  const e = endpoint ?? "";
  switch (protocol) {
    case "http":
    case "https":
      if (!e.toLowerCase().startsWith(`${protocol}://`) || !URL.canParse(e)) throw invalid("Endpoint must match the specified protocol");
      return e;
    case "email":
    case "email-json":
      if (!/^[^@\s]+@[^@\s]+$/.test(e)) throw invalid("Email address");
      return e;
    case "sms": {
      const n = e.replace(/[\s().-]/g, "");
      if (!/^\+?[0-9]{5,15}$/.test(n)) throw invalid(`Invalid SMS endpoint: ${e}`);
      return n.startsWith("+") ? n : `+${n}`;
    }
    case "sqs": {
      const p = parseArn(e);
      if (!p || p.service !== "sqs" || !p.resource || p.resource.includes(":")) throw invalid("SQS endpoint ARN");
      if (p.resource.endsWith(".fifo") && !isFifo(topic))
        throw invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
      return e;
    }
    case "lambda":
      if (!/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/.test(e)) throw invalid("Lambda endpoint ARN");
      return e;
    default:
      // Valid AWS input that Stratus cannot deliver to: refused loudly, never stored as if it worked.
      throw new ServiceError("NotImplemented", `Stratus does not support the ${protocol} protocol for SNS subscriptions yet.`, 501, { senderFault: false });
  }
}

/** Validates one settable attribute against the subscription (as it would be after the change). */
function checkAttribute(name: string, value: string, protocol: string, attrs: Record<string, string>): string {
  if (!SETTABLE.has(name)) throw invalid("AttributeName");
  switch (name) {
    case "RawMessageDelivery": {
      const v = value.toLowerCase();
      if (v !== "true" && v !== "false") throw invalid("RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
      if (!["http", "https", "sqs", "firehose"].includes(protocol) && v === "true")
        throw invalid(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
      return v;
    }
    case "FilterPolicy":
      if (value) compileFilterPolicy(value, (attrs.FilterPolicyScope ?? "MessageAttributes") as FilterScope);
      return value;
    case "FilterPolicyScope":
      if (value !== "MessageAttributes" && value !== "MessageBody")
        throw invalid("FilterPolicyScope: Invalid filter policy scope, it must be MessageAttributes or MessageBody");
      if (attrs.FilterPolicy) compileFilterPolicy(attrs.FilterPolicy, value);
      return value;
    case "RedrivePolicy": {
      if (!value) return value;
      let doc: { deadLetterTargetArn?: unknown };
      try {
        doc = JSON.parse(value);
      } catch {
        throw invalid("RedrivePolicy: failed to parse JSON.");
      }
      const arn = doc?.deadLetterTargetArn;
      if (typeof arn !== "string" || parseArn(arn)?.service !== "sqs") throw invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn");
      return value;
    }
    case "DeliveryPolicy":
      if (value) validateDeliveryPolicy(value, "DeliveryPolicy", "subscription");
      return value;
    default:
      return value;
  }
}

function applyAttributes(current: Record<string, string>, changes: Record<string, string>, protocol: string): Record<string, string> {
  const next = { ...current };
  // Scope first, so a FilterPolicy given with it is checked against the scope it will run under.
  const order = Object.keys(changes).sort((a, b) => (a === "FilterPolicyScope" ? -1 : b === "FilterPolicyScope" ? 1 : 0));
  for (const k of order) {
    const v = checkAttribute(k, changes[k], protocol, next);
    if (v === "" && k !== "RawMessageDelivery") delete next[k];
    else next[k] = v;
  }
  return next;
}

export const listed = (s: SubRec): Subscription => ({
  SubscriptionArn: s.pending ? "PendingConfirmation" : s.arn,
  Owner: s.owner,
  Protocol: s.protocol,
  Endpoint: s.endpoint,
  TopicArn: s.topicArn,
});

export function confirmationJob(ctx: HandlerContext, s: SubRec, type: "SubscriptionConfirmation" | "UnsubscribeConfirmation", topic?: TopicRec) {
  return {
    kind: "confirmation" as const,
    base: baseUrl(ctx),
    confirmation: {
      type,
      messageId: randomUUID(),
      topicArn: s.topicArn,
      subscriptionArn: s.arn,
      token: s.token,
      timestamp: ctx.now(),
      signatureVersion: (topic?.attributes.SignatureVersion === "2" ? "2" : "1") as "1" | "2",
    },
  };
}

export const subscriptions = {
  subscribe({ TopicArn, Protocol, Endpoint, Attributes = {}, ReturnSubscriptionArn }, ctx) {
    const topic = mustTopic(ctx, TopicArn);
    const protocol = Protocol.toLowerCase();
    if (!PROTOCOLS.has(protocol)) throw invalid(`Amazon SNS does not support this protocol string: ${Protocol}`);
    const endpoint = checkEndpoint(protocol, Endpoint, topic);
    const attributes = applyAttributes({}, Attributes, protocol);
    const t = tables(ctx);
    const same = t.subs.list({ prefix: `${topic.name}:` }).find((e) => e.value.protocol === protocol && e.value.endpoint === endpoint);
    if (same) {
      // Idempotent, as in AWS: the same endpoint again answers the existing subscription.
      for (const [k, v] of Object.entries(attributes))
        if (same.value.attributes[k] !== v) throw invalid("Attributes Reason: Subscription already exists with different attributes");
      return { SubscriptionArn: same.value.pending && !ReturnSubscriptionArn ? "pending confirmation" : same.value.arn };
    }
    const id = randomUUID();
    const key = `${topic.name}:${id}`;
    const sub: SubRec = {
      arn: `${topic.arn}:${id}`,
      topicArn: topic.arn,
      owner: ctx.account,
      protocol,
      endpoint,
      attributes,
      pending: NEEDS_CONFIRMATION.has(protocol),
      token: randomBytes(64).toString("hex"),
      confirmationWasAuthenticated: !NEEDS_CONFIRMATION.has(protocol),
      createdAt: ctx.now(),
    };
    t.subs.insert(key, sub);
    // HTTP/S endpoints get a real, signed SubscriptionConfirmation POST (retried like any delivery).
    if (protocol === "http" || protocol === "https") schedule(ctx, key, confirmationJob(ctx, sub, "SubscriptionConfirmation", topic), 0, 1);
    return { SubscriptionArn: sub.pending && !ReturnSubscriptionArn ? "pending confirmation" : sub.arn };
  },

  confirmSubscription({ TopicArn, Token, AuthenticateOnUnsubscribe }, ctx) {
    const topic = mustTopic(ctx, TopicArn);
    const t = tables(ctx);
    const hit = t.subs.list({ prefix: `${topic.name}:` }).find((e) => e.value.token === Token);
    if (!hit) throw invalid("Token");
    if (hit.value.pending) {
      const authenticated = AuthenticateOnUnsubscribe?.toLowerCase() === "true";
      t.subs.put(hit.key, { ...hit.value, pending: false, confirmationWasAuthenticated: authenticated });
    }
    return { SubscriptionArn: hit.value.arn };
  },

  unsubscribe({ SubscriptionArn }, ctx) {
    const { key, sub } = mustSub(ctx, SubscriptionArn);
    const t = tables(ctx);
    const topic = t.topics.get(key.split(":")[0]);
    transaction(ctx, () => {
      t.subs.delete(key);
      if (topic) t.topics.put(topic.name, { ...topic, subscriptionsDeleted: topic.subscriptionsDeleted + 1 });
    });
    if ((sub.protocol === "http" || sub.protocol === "https") && !sub.pending) sendOnce(ctx, sub, confirmationJob(ctx, sub, "UnsubscribeConfirmation", topic));
    return {};
  },

  listSubscriptions({ NextToken }, ctx) {
    const page = pageOf("ListSubscriptions", tables(ctx).subs, NextToken, 100);
    return { Subscriptions: page.items.map(listed), NextToken: page.next };
  },

  listSubscriptionsByTopic({ TopicArn, NextToken }, ctx) {
    const topic = mustTopic(ctx, TopicArn);
    const page = pageOf("ListSubscriptionsByTopic", tables(ctx).subs, NextToken, 100, `${topic.name}:`);
    return { Subscriptions: page.items.map(listed), NextToken: page.next };
  },

  getSubscriptionAttributes({ SubscriptionArn }, ctx) {
    const { key, sub } = mustSub(ctx, SubscriptionArn);
    const topic = tables(ctx).topics.get(key.split(":")[0]);
    const out: Record<string, string> = {
      Owner: sub.owner,
      RawMessageDelivery: "false",
      TopicArn: sub.topicArn,
      Endpoint: sub.endpoint,
      Protocol: sub.protocol,
      PendingConfirmation: String(sub.pending),
      ConfirmationWasAuthenticated: String(sub.confirmationWasAuthenticated),
      SubscriptionArn: sub.arn,
      SubscriptionPrincipal: globalArn(sub.owner, "iam", "root"),
      ...sub.attributes,
    };
    if (sub.attributes.FilterPolicy) out.FilterPolicyScope ??= "MessageAttributes";
    if (sub.protocol === "http" || sub.protocol === "https") {
      const topicHttp = effectiveDeliveryPolicy(topic?.attributes.DeliveryPolicy).http as Record<string, unknown>;
      const own = sub.attributes.DeliveryPolicy ? (JSON.parse(sub.attributes.DeliveryPolicy) as Record<string, unknown>) : {};
      out.EffectiveDeliveryPolicy = JSON.stringify({
        healthyRetryPolicy: { ...(topicHttp.defaultHealthyRetryPolicy as object), ...(own.healthyRetryPolicy as object) },
        requestPolicy: own.requestPolicy ?? topicHttp.defaultRequestPolicy,
        ...(own.throttlePolicy ? { throttlePolicy: own.throttlePolicy } : {}),
      });
    }
    return { Attributes: out };
  },

  setSubscriptionAttributes({ SubscriptionArn, AttributeName, AttributeValue = "" }, ctx) {
    const { key, sub } = mustSub(ctx, SubscriptionArn);
    const attributes = applyAttributes(sub.attributes, { [AttributeName]: AttributeValue }, sub.protocol);
    tables(ctx).subs.put(key, { ...sub, attributes });
    return {};
  },
} satisfies Partial<SnsApi>;
