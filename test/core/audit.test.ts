// The audit trail: CloudTrail record contents, redaction, service-to-service calls, retention and
// restart, with LookupEvents driven in-process (runtime.dispatch: validation + handler).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { startTestServer, randomAccount, type TestServer, useServer } from "../helpers/server.js";
import { ManualClock } from "../../src/core/clock.js";
import type { Principal } from "../../src/core/identity.js";
import type { AuditCall } from "../../src/core/audit-types.js";
import { buildEventRow, HIDDEN, isReadOnly, timeOfEventId } from "../../src/services/cloudtrail/record.js";
import { randomUUID } from "node:crypto";
import { isServiceError } from "../../src/core/errors.js";

const server = useServer();

const DAY = 24 * 60 * 60 * 1000;

interface Ev {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: Date;
  EventSource: string;
  Username?: string;
  Resources: { ResourceType: string; ResourceName: string }[];
  CloudTrailEvent: string;
}

async function lookup(s: TestServer, account: string, input: Record<string, unknown> = {}, region = "us-east-1") {
  const out = await s.runtime.dispatch("cloudtrail", "LookupEvents", input, { ...s.runtime.rootIdentity(account, region) });
  return out as { Events: Ev[]; NextToken?: string };
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e) => isServiceError(e) && e.code === code);
}

function call(overrides: Partial<AuditCall>): AuditCall {
  const account = "123456789012";
  return {
    time: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    service: "iam",
    eventSource: "iam.amazonaws.com",
    operation: "GetUser",
    account,
    region: "eu-west-1",
    principal: { type: "Root", accountId: account, arn: `arn:aws:iam::${account}:root`, principalId: account, accessKeyId: "AKIAROOT" },
    sourceIp: "10.0.0.1",
    userAgent: "ua/1",
    requestId: "req-1",
    ...overrides,
  };
}

test("a recorded call carries the CloudTrail record fields, IAM in us-east-1", () => {
  const row = buildEventRow(call({ input: { UserName: "alice" }, errorCode: "NoSuchEntity", errorMessage: "The user with name alice cannot be found." }));
  const r = JSON.parse(row.record);
  assert.equal(r.eventVersion, "1.08");
  assert.equal(r.eventTime, "2024-01-02T03:04:05Z");
  assert.equal(r.eventSource, "iam.amazonaws.com");
  assert.equal(r.eventName, "GetUser");
  assert.equal(r.awsRegion, "us-east-1");
  assert.equal(row.region, "us-east-1");
  assert.equal(r.sourceIPAddress, "10.0.0.1");
  assert.equal(r.userAgent, "ua/1");
  assert.equal(r.errorCode, "NoSuchEntity");
  assert.equal(r.errorMessage, "The user with name alice cannot be found.");
  assert.deepEqual(r.requestParameters, { userName: "alice" });
  assert.equal(r.responseElements, null);
  assert.equal(r.requestID, "req-1");
  assert.equal(r.eventID, row.eventId);
  // A version-7 UUID carrying its event's second (what makes EventId lookups cheap).
  assert.match(r.eventID, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(timeOfEventId(r.eventID), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(timeOfEventId(randomUUID()), undefined);
  assert.equal(r.readOnly, true);
  assert.equal(r.eventType, "AwsApiCall");
  assert.equal(r.managementEvent, true);
  assert.equal(r.recipientAccountId, "123456789012");
  assert.equal(r.eventCategory, "Management");
  assert.deepEqual(r.userIdentity, {
    type: "Root",
    principalId: "123456789012",
    arn: "arn:aws:iam::123456789012:root",
    accountId: "123456789012",
    accessKeyId: "AKIAROOT",
  });
  assert.deepEqual(row.resources, [{ type: "AWS::IAM::User", name: "alice" }]);
  assert.equal(row.username, "root");
  assert.equal(row.eventTime, Date.UTC(2024, 0, 2, 3, 4, 5));
});

test("secrets are hidden: model-sensitive members and known secret fields, in requests and responses", () => {
  const created = buildEventRow(
    call({
      operation: "CreateAccessKey",
      input: { UserName: "bob" },
      output: {
        AccessKey: { UserName: "bob", AccessKeyId: "AKIABOB", Status: "Active", SecretAccessKey: "s3cr3t", CreateDate: new Date(Date.UTC(2024, 0, 1)) },
      },
    }),
  );
  const r = JSON.parse(created.record);
  assert.equal(r.readOnly, false);
  assert.deepEqual(r.responseElements, {
    accessKey: { userName: "bob", accessKeyId: "AKIABOB", status: "Active", secretAccessKey: HIDDEN, createDate: "2024-01-01T00:00:00Z" },
  });
  assert.doesNotMatch(created.record, /s3cr3t/);
  assert.deepEqual(created.resources, [
    { type: "AWS::IAM::User", name: "bob" },
    { type: "AWS::IAM::AccessKey", name: "AKIABOB" },
  ]);

  const login = JSON.parse(
    buildEventRow(call({ operation: "CreateLoginProfile", input: { UserName: "bob", Password: "hunter2!", PasswordResetRequired: true } })).record,
  );
  assert.deepEqual(login.requestParameters, { userName: "bob", password: HIDDEN, passwordResetRequired: true });

  const assumed = JSON.parse(
    buildEventRow(
      call({
        service: "sts",
        eventSource: "sts.amazonaws.com",
        operation: "AssumeRole",
        input: { RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s" },
        output: { Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "sk", SessionToken: "tok", Expiration: new Date(0) } },
      }),
    ).record,
  );
  // AssumeRole is read-only in CloudTrail, so it has no responseElements at all.
  assert.equal(assumed.readOnly, true);
  assert.equal(assumed.awsRegion, "eu-west-1");
  assert.equal(assumed.responseElements, null);

  const token = JSON.parse(
    buildEventRow(
      call({
        service: "sts",
        eventSource: "sts.amazonaws.com",
        operation: "SetSomething",
        output: { Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "sk", SessionToken: "tok", Expiration: new Date(0) } },
      }),
    ).record,
  );
  assert.deepEqual(token.responseElements, {
    credentials: { accessKeyId: "ASIA1", secretAccessKey: HIDDEN, sessionToken: HIDDEN, expiration: "1970-01-01T00:00:00Z" },
  });
});

test("policies are kept, tags map keys untouched; payloads (blobs) and bulk lists left out", () => {
  const doc = JSON.stringify({ Version: "2012-10-17", Statement: [] });
  const r = JSON.parse(
    buildEventRow(
      call({
        operation: "CreateRole",
        input: { RoleName: "r", AssumeRolePolicyDocument: doc, Tags: [{ Key: "Team", Value: "x" }] },
        output: { Role: { RoleName: "r", Arn: "arn:aws:iam::123456789012:role/r" } },
      }),
    ).record,
  );
  assert.deepEqual(r.requestParameters, { roleName: "r", assumeRolePolicyDocument: doc, tags: [{ key: "Team", value: "x" }] });
  assert.deepEqual(r.responseElements, { role: { roleName: "r", arn: "arn:aws:iam::123456789012:role/r" } });
  const blob = JSON.parse(
    buildEventRow(call({ service: "kms", eventSource: "kms.amazonaws.com", operation: "TagThing", input: { Data: Buffer.from("hi"), Attrs: { MyKey: 1 } } }))
      .record,
  );
  assert.equal(blob.requestParameters.data, undefined);
  assert.deepEqual(blob.requestParameters.attrs, { myKey: 1 });
  const bulk = JSON.parse(
    buildEventRow(
      call({
        service: "cloudwatch-logs",
        eventSource: "logs.amazonaws.com",
        operation: "PutLogEvents",
        input: { logGroupName: "g", logEvents: Array.from({ length: 101 }, (_, i) => ({ timestamp: i, message: "m" })) },
      }),
    ).record,
  );
  assert.deepEqual(bulk.requestParameters, { logGroupName: "g" });
});

test("userIdentity for an IAM user and an assumed role", () => {
  const user: Principal = {
    type: "IAMUser",
    accountId: "123456789012",
    arn: "arn:aws:iam::123456789012:user/alice",
    principalId: "AIDAALICE",
    accessKeyId: "AKIAALICE",
    userName: "alice",
  };
  const u = buildEventRow(call({ principal: user }));
  assert.deepEqual(JSON.parse(u.record).userIdentity, {
    type: "IAMUser",
    principalId: "AIDAALICE",
    arn: user.arn,
    accountId: "123456789012",
    accessKeyId: "AKIAALICE",
    userName: "alice",
  });
  assert.equal(u.username, "alice");
  assert.equal(u.accessKeyId, "AKIAALICE");

  const role: Principal = {
    type: "AssumedRole",
    accountId: "123456789012",
    arn: "arn:aws:sts::123456789012:assumed-role/Deployer/build-7",
    principalId: "AROADEPLOYER:build-7",
    accessKeyId: "ASIATEMP",
    session: {
      issuerType: "Role",
      issuerArn: "arn:aws:iam::123456789012:role/Deployer",
      issuerPrincipalId: "AROADEPLOYER",
      issuerUserName: "Deployer",
      creationDate: "2024-01-02T03:00:00Z",
      mfaAuthenticated: false,
    },
  };
  const a = buildEventRow(call({ principal: role }));
  assert.deepEqual(JSON.parse(a.record).userIdentity, {
    type: "AssumedRole",
    principalId: "AROADEPLOYER:build-7",
    arn: role.arn,
    accountId: "123456789012",
    accessKeyId: "ASIATEMP",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROADEPLOYER",
        arn: "arn:aws:iam::123456789012:role/Deployer",
        accountId: "123456789012",
        userName: "Deployer",
      },
      webIdFederationData: {},
      attributes: { creationDate: "2024-01-02T03:00:00Z", mfaAuthenticated: "false" },
    },
  });
  assert.equal(a.username, "build-7");
});

test("read-only is decided by the operation name as CloudTrail does", () => {
  for (const op of ["GetUser", "ListRoles", "DescribeAlarms", "LookupEvents", "HeadObject", "BatchGetImage", "AssumeRole", "Decrypt", "GetCallerIdentity"])
    assert.ok(isReadOnly(op), op);
  for (const op of ["CreateUser", "DeleteRole", "PutMetricData", "Getaway", "UpdateListing", "TagRole", "GenerateCredentialReport"])
    assert.ok(!isReadOnly(op), op);
});

test("HTTP calls are recorded and looked up, newest first, in the caller's account only", async () => {
  const account = randomAccount();
  const sts = server.client(STSClient, { account });
  await sts.send(new GetCallerIdentityCommand({}));
  await sts.send(new GetCallerIdentityCommand({}));
  const { Events } = await lookup(server, account);
  assert.equal(Events.length, 2);
  assert.ok(
    Events.every((e) => e.EventName === "GetCallerIdentity" && e.EventSource === "sts.amazonaws.com" && e.Username === "root" && e.AccessKeyId === account),
  );
  const records = Events.map((e) => JSON.parse(e.CloudTrailEvent));
  assert.ok(records[0].requestID !== records[1].requestID);
  assert.equal((await lookup(server, randomAccount())).Events.length, 0);
  assert.equal((await lookup(server, account, {}, "eu-west-1")).Events.length, 0);
});

test("a service calling another is recorded with invokedBy, and its errors too", async () => {
  const account = randomAccount();
  const ctx = server.runtime.context("cloudformation", "CreateStack", server.runtime.rootIdentity(account));
  await ctx.call("sts", "GetCallerIdentity", {});
  await assert.rejects(ctx.call("sts", "GetSessionToken", { DurationSeconds: 1 }));
  const { Events } = await lookup(server, account);
  const byName = new Map(Events.map((e) => [e.EventName, JSON.parse(e.CloudTrailEvent)]));
  const ok = byName.get("GetCallerIdentity");
  assert.equal(ok.userIdentity.invokedBy, "cloudformation.amazonaws.com");
  assert.equal(ok.sourceIPAddress, "cloudformation.amazonaws.com");
  assert.equal(ok.userAgent, "cloudformation.amazonaws.com");
  const failed = byName.get("GetSessionToken");
  assert.equal(failed.errorCode, "ValidationError");
  assert.equal(failed.userIdentity.invokedBy, "cloudformation.amazonaws.com");
});

test("LookupEvents: attributes, time range, paging and its errors", async () => {
  const account = randomAccount();
  const sts = server.client(STSClient, { account });
  for (let i = 0; i < 5; i++) await sts.send(new GetCallerIdentityCommand({}));
  const all = (await lookup(server, account)).Events;
  assert.equal(all.length, 5);

  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await lookup(server, account, { MaxResults: 1, ...(token ? { NextToken: token } : {}) });
    seen.push(...page.Events.map((e) => e.EventId));
    token = page.NextToken;
    pages++;
  } while (token && pages < 20);
  assert.deepEqual(
    seen,
    all.map((e) => e.EventId),
  );

  assert.equal(
    (await lookup(server, account, { LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: all[2].EventId }] })).Events[0].EventId,
    all[2].EventId,
  );
  assert.equal((await lookup(server, account, { LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: randomUUID() }] })).Events.length, 0);
  assert.equal((await lookup(server, account, { LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "false" }] })).Events.length, 0);
  assert.equal((await lookup(server, account, { EndTime: new Date(Date.now() - DAY) })).Events.length, 0);

  await rejects(
    lookup(server, account, {
      LookupAttributes: [
        { AttributeKey: "EventName", AttributeValue: "a" },
        { AttributeKey: "Username", AttributeValue: "b" },
      ],
    }),
    "InvalidLookupAttributesException",
  );
  await rejects(lookup(server, account, { StartTime: new Date(), EndTime: new Date(Date.now() - DAY) }), "InvalidTimeRangeException");
  await rejects(lookup(server, account, { NextToken: "garbage" }), "InvalidNextTokenException");
  const first = await lookup(server, account, { MaxResults: 1 });
  // A token is bound to the query it came from.
  await rejects(
    lookup(server, account, {
      MaxResults: 1,
      NextToken: first.NextToken,
      LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetCallerIdentity" }],
    }),
    "InvalidNextTokenException",
  );
});

test("events older than 90 days are never returned, and are swept on start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-audit-"));
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const account = randomAccount();
  let s: TestServer | undefined;
  try {
    s = await startTestServer({ dataDir: dir, clock });
    await new STSClient(s.clientConfig({ account })).send(new GetCallerIdentityCommand({}));
    clock.advance(10 * DAY);
    await new STSClient(s.clientConfig({ account })).send(new GetCallerIdentityCommand({}));
    assert.equal((await lookup(s, account)).Events.length, 2);
    clock.advance(81 * DAY); // the first call is now 91 days old, the second 81
    assert.equal((await lookup(s, account)).Events.length, 1);
    await s.close();

    s = await startTestServer({ dataDir: dir, clock });
    clock.advance(-91 * DAY); // back to the first call's day: only a sweep can explain its absence
    const left = (await lookup(s, account)).Events;
    assert.equal(left.length, 1);
    assert.equal(left[0].EventTime.getTime(), Date.UTC(2024, 5, 11));
    await s.close();
  } finally {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("events survive a restart on the same data dir", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-audit-"));
  const account = randomAccount();
  let s: TestServer | undefined;
  try {
    s = await startTestServer({ dataDir: dir });
    await new STSClient(s.clientConfig({ account })).send(new GetCallerIdentityCommand({}));
    await s.close();
    s = await startTestServer({ dataDir: dir });
    const { Events } = await lookup(s, account);
    assert.equal(Events.length, 1);
    assert.equal(Events[0].EventName, "GetCallerIdentity");
    await s.close();
  } finally {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("records by seq run: texts and one comma-joined text, only the account, region and time span asked for", () => {
  const log = server.runtime.store.auditEvents();
  const [a, b] = [randomAccount(), randomAccount()];
  const t = Date.UTC(2024, 0, 2, 3, 4, 5);
  const rows = [
    buildEventRow(
      call({ account: a, region: "eu-west-1", time: t, requestId: "r1", operation: "GetQueueUrl", service: "sqs", eventSource: "sqs.amazonaws.com" }),
    ),
    buildEventRow(
      call({ account: b, region: "eu-west-1", time: t, requestId: "r2", operation: "GetQueueUrl", service: "sqs", eventSource: "sqs.amazonaws.com" }),
    ),
    buildEventRow(
      call({ account: a, region: "eu-west-2", time: t, requestId: "r3", operation: "GetQueueUrl", service: "sqs", eventSource: "sqs.amazonaws.com" }),
    ),
    buildEventRow(
      call({ account: a, region: "eu-west-1", time: t + 5000, requestId: "r4", operation: "ListQueues", service: "sqs", eventSource: "sqs.amazonaws.com" }),
    ),
    buildEventRow(
      call({ account: a, region: "eu-west-1", time: t + 9000, requestId: "r5", operation: "ListQueues", service: "sqs", eventSource: "sqs.amazonaws.com" }),
    ),
  ];
  const seqs = log.appendEvents(rows);
  const where = { account: a, region: "eu-west-1", start: t, end: t + 5000 };
  const texts = log.recordsBySeq(seqs[0], seqs[4], where);
  assert.deepEqual(
    texts.map((r) => JSON.parse(r).requestID),
    ["r1", "r4"],
  );
  const joined = log.joinedRecordsBySeq(seqs[0], seqs[4], where);
  assert.deepEqual(
    JSON.parse(`[${joined.toString("utf8")}]`).map((r: { requestID: string }) => r.requestID),
    ["r1", "r4"],
  );
  assert.equal(log.joinedRecordsBySeq(seqs[1], seqs[2], where).length, 0);
});
