// HTTP/S subscriptions end to end: the signed SubscriptionConfirmation POST, ConfirmSubscription (API and SubscribeURL),
// signed notifications verified against the served certificate, raw delivery, retries on a 500 on the scheduler.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, verify } from "node:crypto";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { pendingAttempts, settle, snsClient, startEndpoint, type Endpoint } from "./setup.js";

const server = useServer();
let hook: Endpoint;
before(async () => (hook = await startEndpoint()));
after(() => hook.close());

/** Verifies an SNS message exactly as AWS's docs (and sns-validator) describe: canonical string, cert key, SHA1/SHA256. */
async function verifySignature(msg: Record<string, unknown>): Promise<boolean> {
  const pem = await (await fetch(String(msg.SigningCertURL))).text();
  const cert = new X509Certificate(pem);
  const keys =
    msg.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const canonical = keys
    .filter((k) => msg[k] !== undefined)
    .map((k) => `${k}\n${msg[k]}\n`)
    .join("");
  return verify(msg.SignatureVersion === "2" ? "sha256" : "sha1", Buffer.from(canonical), cert.publicKey, Buffer.from(String(msg.Signature), "base64"));
}

test("subscribe → signed SubscriptionConfirmation → confirm → signed Notification → unsubscribe", async () => {
  const account = randomAccount();
  const sns = snsClient(server, account);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "hooks" }));
  const start = hook.received.length;
  const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url }));
  assert.equal(sub.SubscriptionArn, "pending confirmation");

  const [conf] = (await hook.waitFor(start + 1)).slice(start);
  assert.equal(conf.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
  assert.equal(conf.headers["x-amz-sns-topic-arn"], TopicArn);
  assert.equal(conf.headers["content-type"], "text/plain; charset=UTF-8");
  assert.equal(conf.json.Type, "SubscriptionConfirmation");
  assert.equal(conf.json.TopicArn, TopicArn);
  assert.match(conf.json.Token, /^[0-9a-f]{128}$/);
  assert.ok(conf.json.SubscribeURL.startsWith(`${server.url}/_stratus/sns/?Action=ConfirmSubscription&`));
  assert.equal(conf.json.SignatureVersion, "1");
  assert.equal(conf.json.SigningCertURL, `${server.url}/_stratus/sns/SimpleNotificationService.pem`);
  assert.ok(await verifySignature(conf.json), "confirmation signature verifies");

  const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
  assert.equal(listed[0].SubscriptionArn, "PendingConfirmation");

  await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: "wrong" })), "InvalidParameterException", 400, "Invalid parameter: Token");
  const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.json.Token }));
  assert.match(SubscriptionArn!, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
  const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
  assert.equal(attrs.PendingConfirmation, "false");
  assert.equal(attrs.ConfirmationWasAuthenticated, "false");
  assert.equal(JSON.parse(attrs.EffectiveDeliveryPolicy!).healthyRetryPolicy.numRetries, 3);

  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn,
      Subject: "Hello",
      Message: "hi there",
      MessageAttributes: {
        color: { DataType: "String", StringValue: "red" },
        n: { DataType: "Number", StringValue: "7" },
        b: { DataType: "Binary", BinaryValue: Buffer.from("xyz") },
      },
    }),
  );
  const [note] = (await hook.waitFor(start + 2)).slice(start + 1);
  assert.equal(note.headers["x-amz-sns-message-type"], "Notification");
  assert.equal(note.headers["x-amz-sns-message-id"], MessageId);
  assert.equal(note.headers["x-amz-sns-subscription-arn"], SubscriptionArn);
  assert.deepEqual(Object.keys(note.json), [
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
    "MessageAttributes",
  ]);
  assert.equal(note.json.Message, "hi there");
  assert.equal(note.json.Subject, "Hello");
  assert.match(note.json.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(note.json.MessageAttributes, {
    color: { Type: "String", Value: "red" },
    n: { Type: "Number", Value: "7" },
    b: { Type: "Binary", Value: Buffer.from("xyz").toString("base64") },
  });
  assert.ok(await verifySignature(note.json), "notification signature verifies");
  // A tampered message must not verify.
  assert.equal(await verifySignature({ ...note.json, Message: "hi therE" }), false);

  // The UnsubscribeURL works without credentials, as AWS's does.
  const res = await fetch(note.json.UnsubscribeURL);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<UnsubscribeResponse/);
  await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), "NotFoundException", 404, "Subscription does not exist");
  await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn })), "NotFoundException", 404);
  const [bye] = (await hook.waitFor(start + 3)).slice(start + 2);
  assert.equal(bye.json.Type, "UnsubscribeConfirmation");
  assert.ok(await verifySignature(bye.json));
});

test("SubscribeURL confirms; SignatureVersion 2 signs with SHA256; raw delivery posts the bare message", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "v2", Attributes: { SignatureVersion: "2" } }));
  const start = hook.received.length;
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url, ReturnSubscriptionArn: true }));
  assert.match(SubscriptionArn!, /:v2:/);
  const [conf] = (await hook.waitFor(start + 1)).slice(start);
  assert.equal(conf.json.SignatureVersion, "2");
  assert.ok(await verifySignature(conf.json));
  const visit = await fetch(conf.json.SubscribeURL);
  assert.equal(visit.status, 200);
  assert.ok((await visit.text()).includes(`<SubscriptionArn>${SubscriptionArn}</SubscriptionArn>`));

  await sns.send(new PublishCommand({ TopicArn, Message: "signed v2" }));
  const [note] = (await hook.waitFor(start + 2)).slice(start + 1);
  assert.equal(note.json.SignatureVersion, "2");
  assert.ok(await verifySignature(note.json));

  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
  await sns.send(new PublishCommand({ TopicArn, Message: "raw body", MessageAttributes: { a: { DataType: "String", StringValue: "x" } } }));
  const [raw] = (await hook.waitFor(start + 3)).slice(start + 2);
  assert.equal(raw.body, "raw body");
  assert.equal(raw.headers["x-amz-sns-rawdelivery"], "true");
});

test("a 500 is retried on the scheduler per the delivery policy; exhausted retries are recorded", async () => {
  const clock = new ManualClock();
  const s = await startTestServer({ clock });
  const ep = await startEndpoint();
  try {
    const account = randomAccount();
    const sns = snsClient(s, account);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "flaky" }));
    // The confirmation itself is retried too: first answer 500, then 200 after the 20 s default delay.
    ep.statuses.push(500);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: ep.url }));
    await ep.waitFor(1);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [2]));
    assert.equal(ep.received.length, 1);
    clock.advance(19_000);
    await settle();
    assert.equal(ep.received.length, 1, "not before the 20 s delay");
    clock.advance(1_000);
    const [, conf] = await ep.waitFor(2);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), []));
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: conf.json.Token }));

    const policy = {
      healthyRetryPolicy: {
        numRetries: 2,
        minDelayTarget: 5,
        maxDelayTarget: 5,
        numNoDelayRetries: 0,
        numMinDelayRetries: 0,
        numMaxDelayRetries: 0,
        backoffFunction: "linear",
      },
    };
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "DeliveryPolicy", AttributeValue: JSON.stringify(policy) }));
    ep.statuses.push(500, 503);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "eventually" }));
    await ep.waitFor(3);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [2]));
    clock.advance(5_000);
    await ep.waitFor(4);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [3]));
    clock.advance(5_000);
    const all = await ep.waitFor(5);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), []));
    assert.deepEqual(
      all.slice(2).map((r) => r.json.MessageId),
      [MessageId, MessageId, MessageId],
    );

    // Every attempt failing: 1 try + 2 retries, then a recorded failure (never a silent success).
    ep.statuses.push(500, 500, 500);
    const failed = await sns.send(new PublishCommand({ TopicArn, Message: "never" }));
    await ep.waitFor(6);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [2]));
    clock.advance(5_000);
    await ep.waitFor(7);
    await eventually(() => assert.deepEqual(pendingAttempts(s, account), [3]));
    clock.advance(5_000);
    await ep.waitFor(8);
    const failures = await eventually(() => {
      const list = s.runtime.store.table<{ messageId: string; attempts: number; error: string }>("sns:delivery-failures", `${account}/us-east-1`).list();
      assert.equal(list.length, 1);
      return list;
    });
    assert.deepEqual(pendingAttempts(s, account), []);
    assert.equal(failures[0].value.messageId, failed.MessageId);
    assert.equal(failures[0].value.attempts, 3);
    assert.match(failures[0].value.error, /HTTP 500/);
  } finally {
    await ep.close();
    await s.close();
  }
});

test("HTTP subscribe errors and delivery-policy validation", async () => {
  const sns = snsClient(server);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "errs" }));
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "https", Endpoint: "http://x.example" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Endpoint must match the specified protocol",
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: "carrier-pigeon", Endpoint: "x" })),
    "InvalidParameterException",
    400,
    "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
  );
  await rejects(
    sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: "DeliveryPolicy",
        AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 500 } } }),
      }),
    ),
    "InvalidParameterException",
    400,
  );
});
