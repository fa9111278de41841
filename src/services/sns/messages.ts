// The JSON documents SNS delivers (Notification, SubscriptionConfirmation, UnsubscribeConfirmation), signed as AWS signs them.
import type { SigningKeys } from "./certificate.js";

/** A published message as deliveries need it, decoupled from the request. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  message: string;
  /** MessageStructure=json: the per-protocol bodies ("default" always present). */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  timestamp: number;
  sequenceNumber?: string;
  groupId?: string;
  dedupId?: string;
  signatureVersion: "1" | "2";
}

export const CERT_PATH = "/_stratus/sns/SimpleNotificationService.pem";

/** The body for one protocol: its own entry of a MessageStructure=json message, else "default". */
export function bodyFor(m: PublishedMessage, protocol: string): string {
  return m.perProtocol ? (m.perProtocol[protocol] ?? m.perProtocol.default) : m.message;
}

const iso = (ms: number) => new Date(ms).toISOString();

// The fields AWS signs, in this order, each as "Name\nValue\n" (Subject only when present).
const NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
const CONFIRMATION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

export function canonicalString(doc: Record<string, unknown>): string {
  const keys = doc.Type === "Notification" ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  return keys
    .filter((k) => doc[k] !== undefined)
    .map((k) => `${k}\n${String(doc[k])}\n`)
    .join("");
}

function signed(keys: SigningKeys, doc: Record<string, unknown>, version: "1" | "2", certUrl: string): Record<string, unknown> {
  // Object.assign, not a spread: on Node 20 a literal that begins with a spread makes a new map per added property.
  return Object.assign({}, doc, { SignatureVersion: version, Signature: keys.sign(canonicalString(doc), version), SigningCertURL: certUrl });
}

export function notification(keys: SigningKeys, m: PublishedMessage, protocol: string, subscriptionArn: string, base: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    Type: "Notification",
    MessageId: m.messageId,
    ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
    TopicArn: m.topicArn,
    ...(m.subject !== undefined ? { Subject: m.subject } : {}),
    Message: bodyFor(m, protocol),
    Timestamp: iso(m.timestamp),
  };
  const out = signed(keys, doc, m.signatureVersion, base + CERT_PATH);
  out.UnsubscribeURL = `${base}/_stratus/sns/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;
  const attrs = Object.entries(m.attributes);
  if (attrs.length) out.MessageAttributes = Object.fromEntries(attrs.map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue }]));
  return out;
}

export interface Confirmation {
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  token: string;
  timestamp: number;
  signatureVersion: "1" | "2";
}

export const subscribeUrl = (base: string, topicArn: string, token: string) =>
  `${base}/_stratus/sns/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;

export function confirmation(keys: SigningKeys, c: Confirmation, base: string): Record<string, unknown> {
  const message =
    c.type === "SubscriptionConfirmation"
      ? `You have chosen to subscribe to the topic ${c.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${c.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const doc = {
    Type: c.type,
    MessageId: c.messageId,
    Token: c.token,
    TopicArn: c.topicArn,
    Message: message,
    SubscribeURL: subscribeUrl(base, c.topicArn, c.token),
    Timestamp: iso(c.timestamp),
  };
  return signed(keys, doc, c.signatureVersion, base + CERT_PATH);
}
