// cloudtrail:LookupEvents through the real SDK v3 client, over events STS and IAM calls recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput, type Event } from "@aws-sdk/client-cloudtrail";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { IAMClient, GetUserCommand } from "@aws-sdk/client-iam";
import { startTestServer, randomAccount, type TestServer, useServer } from "../../helpers/server.js";
import { ManualClock } from "../../../src/core/clock.js";

const DAY = 24 * 60 * 60 * 1000;

let account: string;
let ct: CloudTrailClient;
const started = new Date(Math.floor(Date.now() / 1000) * 1000);

const server = useServer({}, async (server) => {
  account = randomAccount();
  const cfg = server.clientConfig({ account });
  ct = new CloudTrailClient(cfg);
  const sts = new STSClient(cfg);
  for (let i = 0; i < 3; i++) await sts.send(new GetCallerIdentityCommand({}));
  await assert.rejects(new IAMClient(cfg).send(new GetUserCommand({ UserName: "ghost" })), { name: "NoSuchEntityException" });
});

const lookup = (input: LookupEventsCommandInput = {}, client = ct) => client.send(new LookupEventsCommand(input));
const by = (
  AttributeKey: NonNullable<LookupEventsCommandInput["LookupAttributes"]>[0]["AttributeKey"],
  AttributeValue: string,
  extra: LookupEventsCommandInput = {},
) => lookup({ LookupAttributes: [{ AttributeKey, AttributeValue }], ...extra });
const names = (events: Event[] | undefined) => (events ?? []).map((e) => e.EventName);

test("an IAM error is recorded with its errorCode, in us-east-1, with the user as resource", async () => {
  const { Events } = await by("EventName", "GetUser");
  assert.equal(Events?.length, 1);
  const e = Events![0];
  assert.equal(e.EventSource, "iam.amazonaws.com");
  assert.equal(e.ReadOnly, "true");
  assert.equal(e.Username, "root");
  assert.equal(e.AccessKeyId, account);
  assert.deepEqual(e.Resources, [{ ResourceType: "AWS::IAM::User", ResourceName: "ghost" }]);
  assert.ok(e.EventTime instanceof Date && e.EventTime.getTime() >= started.getTime());
  const r = JSON.parse(e.CloudTrailEvent!);
  assert.equal(r.errorCode, "NoSuchEntity");
  assert.match(r.errorMessage, /ghost/);
  assert.equal(r.eventID, e.EventId);
  assert.equal(r.awsRegion, "us-east-1");
  assert.deepEqual(r.requestParameters, { userName: "ghost" });
  assert.equal(r.responseElements, null);
  assert.equal(r.userIdentity.type, "Root");
  assert.equal(r.userIdentity.arn, `arn:aws:iam::${account}:root`);
  assert.equal(r.recipientAccountId, account);
  assert.match(r.userAgent, /aws-sdk-js/);
});

test("each lookup attribute filters", async () => {
  const sts = await by("EventSource", "sts.amazonaws.com");
  assert.deepEqual(names(sts.Events), ["GetCallerIdentity", "GetCallerIdentity", "GetCallerIdentity"]);
  const one = sts.Events![1];
  assert.deepEqual(
    (await by("EventId", one.EventId!)).Events?.map((e) => e.EventId),
    [one.EventId],
  );
  assert.equal((await by("EventName", "GetCallerIdentity")).Events?.length, 3);
  assert.ok((await by("ReadOnly", "true")).Events!.length >= 4);
  assert.equal((await by("ReadOnly", "false")).Events?.length, 0);
  assert.ok((await by("Username", "root")).Events!.length >= 4);
  assert.equal((await by("Username", "alice")).Events?.length, 0);
  assert.ok((await by("AccessKeyId", account)).Events!.length >= 4);
  assert.deepEqual(names((await by("ResourceType", "AWS::IAM::User")).Events), ["GetUser"]);
  assert.deepEqual(names((await by("ResourceName", "ghost")).Events), ["GetUser"]);
  assert.equal((await by("ResourceName", "nobody")).Events?.length, 0);
});

test("LookupEvents is itself recorded, as a read-only cloudtrail event", async () => {
  await lookup({ MaxResults: 1 });
  const { Events } = await by("EventName", "LookupEvents");
  assert.ok(Events!.length >= 1);
  assert.equal(Events![0].EventSource, "cloudtrail.amazonaws.com");
  const r = JSON.parse(Events![0].CloudTrailEvent!);
  assert.equal(r.readOnly, true);
  assert.equal(r.awsRegion, "us-east-1");
});

test("time range: StartTime and EndTime bound the events", async () => {
  assert.equal((await by("EventSource", "sts.amazonaws.com", { StartTime: started })).Events?.length, 3);
  assert.equal((await by("EventSource", "sts.amazonaws.com", { EndTime: new Date(started.getTime() - 1000) })).Events?.length, 0);
  assert.equal((await by("EventSource", "sts.amazonaws.com", { StartTime: new Date(Date.now() + 60_000) })).Events?.length, 0);
  assert.equal(
    (await by("EventSource", "sts.amazonaws.com", { StartTime: new Date(started.getTime() - DAY), EndTime: new Date(Date.now() + 60_000) })).Events?.length,
    3,
  );
});

test("MaxResults 1 pages through every event, newest first, with opaque tokens", async () => {
  // Filtered to STS so that the LookupEvents calls this test makes stay out of the pages.
  const all = (await by("EventSource", "sts.amazonaws.com")).Events!;
  assert.equal(all.length, 3);
  const ids: string[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page = await by("EventSource", "sts.amazonaws.com", { MaxResults: 1, NextToken });
    assert.ok(page.Events!.length <= 1);
    ids.push(...page.Events!.map((e) => e.EventId!));
    NextToken = page.NextToken;
    if (NextToken) assert.doesNotMatch(NextToken, /GetCallerIdentity|\d{12}/);
    pages++;
  } while (NextToken && pages < 100);
  assert.deepEqual(
    ids,
    all.map((e) => e.EventId),
  );
  assert.equal(pages, 3);
  const times = all.map((e) => e.EventTime!.getTime());
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
});

test("errors: two attributes, start after end, bad or foreign tokens", async () => {
  await assert.rejects(
    lookup({
      LookupAttributes: [
        { AttributeKey: "EventName", AttributeValue: "GetUser" },
        { AttributeKey: "Username", AttributeValue: "root" },
      ],
    }),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.name === "InvalidLookupAttributesException" && e.$metadata?.httpStatusCode === 400,
  );
  await assert.rejects(by("ReadOnly", "maybe"), { name: "InvalidLookupAttributesException" });
  await assert.rejects(lookup({ StartTime: new Date(), EndTime: new Date(Date.now() - DAY) }), { name: "InvalidTimeRangeException" });
  await assert.rejects(lookup({ NextToken: "not-a-token" }), { name: "InvalidNextTokenException" });
  const page = await by("EventSource", "sts.amazonaws.com", { MaxResults: 1 });
  assert.ok(page.NextToken);
  await assert.rejects(by("EventSource", "iam.amazonaws.com", { MaxResults: 1, NextToken: page.NextToken }), { name: "InvalidNextTokenException" });
  const other = new CloudTrailClient(server.clientConfig({ account: randomAccount() }));
  await assert.rejects(
    lookup({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "sts.amazonaws.com" }], MaxResults: 1, NextToken: page.NextToken }, other),
    { name: "InvalidNextTokenException" },
  );
});

test("events belong to the caller's account and region", async () => {
  const other = new CloudTrailClient(server.clientConfig({ account: randomAccount() }));
  assert.equal((await lookup({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "sts.amazonaws.com" }] }, other)).Events?.length, 0);
  const west = server.clientConfig({ account, region: "us-west-2" });
  await new STSClient(west).send(new GetCallerIdentityCommand({}));
  await assert.rejects(new IAMClient(west).send(new GetUserCommand({ UserName: "ghost-west" })), { name: "NoSuchEntityException" });
  const ctWest = new CloudTrailClient(west);
  // STS is regional; IAM is global and AWS records it in us-east-1 whatever region was called.
  assert.equal((await lookup({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "sts.amazonaws.com" }] }, ctWest)).Events?.length, 1);
  assert.equal((await lookup({ LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: "ghost-west" }] }, ctWest)).Events?.length, 0);
  assert.equal((await by("ResourceName", "ghost-west")).Events?.length, 1);
});

test("retention: a ManualClock 91 days on hides old events; they survive a restart until then", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-ct-"));
  const clock = new ManualClock(Date.UTC(2025, 0, 10, 12));
  const acct = randomAccount();
  let s: TestServer | undefined;
  try {
    s = await startTestServer({ dataDir: dir, clock });
    await new STSClient(s.clientConfig({ account: acct })).send(new GetCallerIdentityCommand({}));
    await s.close();

    s = await startTestServer({ dataDir: dir, clock });
    let client = new CloudTrailClient(s.clientConfig({ account: acct }));
    const kept = await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetCallerIdentity" }] }, client);
    assert.equal(kept.Events?.length, 1);
    assert.equal(kept.Events![0].EventTime?.toISOString(), "2025-01-10T12:00:00.000Z");
    assert.equal(JSON.parse(kept.Events![0].CloudTrailEvent!).eventTime, "2025-01-10T12:00:00Z");

    clock.advance(91 * DAY);
    assert.equal((await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetCallerIdentity" }] }, client)).Events?.length, 0);
    await s.close();

    // Restarting sweeps: even with the clock set back, the expired event is gone for good.
    s = await startTestServer({ dataDir: dir, clock });
    clock.advance(-91 * DAY);
    client = new CloudTrailClient(s.clientConfig({ account: acct }));
    assert.equal((await lookup({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetCallerIdentity" }] }, client)).Events?.length, 0);
    await s.close();
  } finally {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
