// SNS records and tables (per account+region), ARN parsing, paging tokens, and the running server SNS delivers from.
import type { HandlerContext } from "../../core/context.js";
import { defineState, global, regional, STORE, type StateHolder, type TablesOf } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import { publicBaseUrl, type ServiceHost } from "../../core/service.js";
import type { SigningKeys, SigningRec } from "./certificate.js";
import { InvalidParameterException, NotFoundException } from "./api.generated.js";
import type { Tag } from "./api.generated.js";

export interface TopicRec {
  name: string;
  arn: string;
  createdAt: number;
  /** Settable attributes only (DisplayName, Policy, DeliveryPolicy, FifoTopic …); computed ones are derived on read. */
  attributes: Record<string, string>;
  tags: Tag[];
  /** FIFO topics: the last SequenceNumber handed out. */
  seq: number;
  subscriptionsDeleted: number;
}

export interface SubRec {
  arn: string;
  topicArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  /** Settable attributes as the caller set them (RawMessageDelivery, FilterPolicy, FilterPolicyScope …). */
  attributes: Record<string, string>;
  pending: boolean;
  token: string;
  confirmationWasAuthenticated: boolean;
  createdAt: number;
}

export interface DedupRec {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** A delivery not yet done: kept until it succeeds or finally fails, so a restart resumes it. */
export interface PendingRec {
  subKey: string;
  job: import("./delivery.js").Job;
  attempt: number;
  dueAt: number;
}

export interface FailureRec {
  subscriptionArn: string;
  messageId: string;
  protocol: string;
  endpoint: string;
  error: string;
  attempts: number;
  at: number;
}

/** A subscription that only records (email, sms): what would have been sent, kept so it is visible, not lost. */
export interface RecordedRec {
  subscriptionArn?: string;
  protocol: string;
  endpoint: string;
  messageId: string;
  message: string;
  subject?: string;
  at: number;
}

/** SNS's tables: per account and region, and the signing key for the whole server (names as stored since the first version). */
const specs = {
  topics: regional<TopicRec>(),
  // Keyed `<topic name>:<subscription id>`, the ARN's tail, so a topic's subscriptions share a prefix.
  subs: regional<SubRec>("subscriptions"),
  dedup: regional<DedupRec>(),
  failures: regional<FailureRec>("delivery-failures"),
  pending: regional<PendingRec>("pending-deliveries"),
  recorded: regional<RecordedRec>("recorded-messages"),
  signing: global<SigningRec>(),
};
export const snsState = defineState("sns", specs);

export const tables = (ctx: HandlerContext): Tables => snsState.of(ctx);
export type Tables = TablesOf<typeof specs>;

/** Runs fn atomically in the store (all of its writes commit together or none). */
export { transaction } from "../../core/state.js";

// --- ARNs ---
import { parseArn, regionalArn } from "../../core/arn.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
export { parseArn };

export const topicArn = (ctx: HandlerContext, name: string) => regionalArn(ctx, "sns", name);

/**
 * SNS's wording of a parameter that is not an SNS ARN: with fewer than six colon-separated elements, the reason AWS
 * gives ("Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1", as SNS answered Publish
 * in github.com/aws-samples/amazon-rekognition-video-analyzer/issues/41 and for SubscriptionArn in
 * crossplane-contrib/provider-upjet-aws/issues/935); otherwise the bare "Invalid parameter: <param>".
 */
export function invalidArn(param: string, arn: string): InvalidParameterException {
  const elements = arn.split(":").length;
  return new InvalidParameterException(
    elements < 6 ? `Invalid parameter: ${param} Reason: An ARN must have at least 6 elements, not ${elements}` : `Invalid parameter: ${param}`,
  );
}

/** The topic a TopicArn names, in the caller's account and region; AWS answers NotFound for any other. */
export function mustTopic(ctx: HandlerContext, arn: string, param = "TopicArn"): TopicRec {
  const p = parseArn(arn);
  if (!p || !p.resource || p.resource.includes(":") || p.service !== "sns") throw invalidArn(param, arn);
  const t = p.account === ctx.account && p.region === ctx.region ? tables(ctx).topics.get(p.resource) : undefined;
  if (!t) throw new NotFoundException("Topic does not exist");
  return t;
}

/** The table key of a subscription ARN (`<topic>:<id>`), or InvalidParameter as AWS words a malformed one. */
export function subKey(ctx: HandlerContext, arn: string): string | undefined {
  const p = parseArn(arn);
  if (!p || p.service !== "sns") throw invalidArn("SubscriptionArn", arn);
  const parts = p.resource.split(":");
  // Six elements but no <topic>:<id> resource: "Invalid parameter: SubscriptionId" (LocalStack's AWS-recorded
  // tests/aws/services/sns/test_sns.snapshot.json, test_unsubscribe_wrong_arn_format, invalid-unsubscribe-arn-3).
  if (parts.length !== 2) throw new InvalidParameterException("Invalid parameter: SubscriptionId");
  return p.account === ctx.account && p.region === ctx.region ? p.resource : undefined;
}

export function mustSub(ctx: HandlerContext, arn: string): { key: string; sub: SubRec } {
  const key = subKey(ctx, arn);
  const sub = key ? tables(ctx).subs.get(key) : undefined;
  if (!key || !sub) throw new NotFoundException("Subscription does not exist");
  return { key, sub };
}

export const isFifo = (t: TopicRec) => t.attributes.FifoTopic === "true";

// --- paging: opaque tokens (core/paging's) carrying the last key returned, bound to the operation ---
export function pageOf<T>(operation: string, table: Table<T>, token: string | undefined, size: number, prefix?: string): { items: T[]; next?: string } {
  const after = token
    ? decodePageToken<string>(operation, token, () => new InvalidParameterException("Invalid parameter: NextToken"), {
        valid: (k): k is string => typeof k === "string" && k !== "",
      })
    : undefined;
  const rows = table.list({ prefix, after, limit: size + 1 });
  const page = rows.slice(0, size);
  return { items: page.map((r) => r.value), next: rows.length > size ? encodePageToken(operation, page[page.length - 1].key) : undefined };
}

// --- the running service: deliveries happen after the call returns, on the server's scheduler, from its URL ---
/** What SNS's start hook returns: the server it delivers from and its signing key. */
export interface SnsInstance {
  host: ServiceHost;
  signing: SigningKeys;
}

export const runtimeOf = (ctx: HandlerContext): ServiceHost | undefined => ctx.instance<SnsInstance | undefined>()?.host;
/** The key that signs this server's messages (one per data dir). */
export const signingOf = (ctx: HandlerContext): SigningKeys => ctx.instance<SnsInstance>().signing;

/**
 * The base URL for SigningCertURL, SubscribeURL and UnsubscribeURL: STRATUS_PUBLIC_URL when set (behind a proxy
 * or in Docker), else the Host the calling request came in on (what the client can reach), else the URL the
 * server listens on, else LocalStack's usual http://localhost:4566.
 */
export function baseUrl(ctx: HandlerContext): string {
  if (ctx.host && !process.env.STRATUS_PUBLIC_URL) return `http://${ctx.host}`;
  return publicBaseUrl(runtimeOf(ctx)) ?? "http://localhost:4566";
}
