// Log groups and streams through the real SDK: CRUD, validation as InvalidParameterException, retention values,
// deletion protection, tags both ways, DescribeLogGroups/DescribeLogStreams paging and ordering.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
  DeleteRetentionPolicyCommand,
  PutLogGroupDeletionProtectionCommand,
  TagLogGroupCommand,
  UntagLogGroupCommand,
  ListTagsLogGroupCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  AssociateKmsKeyCommand,
  DisassociateKmsKeyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = () => server.client(CloudWatchLogsClient);

test("create, describe and delete a log group, with ARNs, class, tags and KMS key", async () => {
  const logs = client();
  const before = Date.now();
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web", tags: { team: "core" }, logGroupClass: "INFREQUENT_ACCESS" }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({}));
  assert.equal(logGroups!.length, 1);
  const g = logGroups![0];
  assert.equal(g.logGroupName, "/app/web");
  assert.match(g.arn!, /^arn:aws:logs:us-east-1:\d{12}:log-group:\/app\/web:\*$/);
  assert.equal(g.logGroupArn, g.arn!.slice(0, -2));
  assert.equal(g.storedBytes, 0);
  assert.equal(g.metricFilterCount, 0);
  assert.equal(g.logGroupClass, "INFREQUENT_ACCESS");
  assert.equal(g.retentionInDays, undefined);
  assert.ok(g.creationTime! >= before - 1000);
  assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: "/app/web" }))).tags, { team: "core" });

  const keyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  await rejects(logs.send(new AssociateKmsKeyCommand({ logGroupName: "/app/web", kmsKeyId: "not-an-arn" })), "InvalidParameterException", 400);
  await rejects(logs.send(new AssociateKmsKeyCommand({ logGroupName: "/app/none", kmsKeyId: keyArn })), "ResourceNotFoundException", 400);
  await logs.send(new DisassociateKmsKeyCommand({ logGroupName: "/app/web" }));

  await rejects(
    logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web" })),
    "ResourceAlreadyExistsException",
    400,
    "The specified log group already exists",
  );
  await logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/web" }));
  await rejects(
    logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/web" })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );
  assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({}))).logGroups, []);
});

test("names and parameters are validated as CloudWatch Logs words it", async () => {
  const logs = client();
  await rejects(
    logs.send(new CreateLogGroupCommand({ logGroupName: "bad name" })),
    "InvalidParameterException",
    400,
    "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
  );
  await rejects(
    logs.send(new CreateLogGroupCommand({ logGroupName: "aws/mine" })),
    "InvalidParameterException",
    400,
    "Log groups starting with AWS/ are reserved for AWS.",
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "g" }));
  await rejects(
    logs.send(new PutRetentionPolicyCommand({ logGroupName: "g", retentionInDays: 2 })),
    "InvalidParameterException",
    400,
    /Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/,
  );
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: "g", retentionInDays: 7 }));
  assert.equal((await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].retentionInDays, 7);
  await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "g" }));
  assert.equal((await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].retentionInDays, undefined);
  await rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "g", logGroupNamePattern: "g" })), "InvalidParameterException", 400);
  await rejects(logs.send(new DescribeLogGroupsCommand({ limit: 51 })), "InvalidParameterException", 400, /Member must have value less than or equal to 50/);
});

test("deletion protection blocks DeleteLogGroup until turned off", async () => {
  const logs = client();
  await logs.send(new CreateLogGroupCommand({ logGroupName: "keep", deletionProtectionEnabled: true }));
  assert.equal((await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].deletionProtectionEnabled, true);
  await rejects(
    logs.send(new DeleteLogGroupCommand({ logGroupName: "keep" })),
    "ValidationException",
    400,
    "Cannot delete log group with deletion protection enabled. Disable deletion protection first.",
  );
  await logs.send(new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: "keep", deletionProtectionEnabled: false }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName: "keep" }));
});

test("tags through TagLogGroup and TagResource see the same set", async () => {
  const logs = client();
  await logs.send(new CreateLogGroupCommand({ logGroupName: "tagged" }));
  const arn = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].logGroupArn!;
  await logs.send(new TagLogGroupCommand({ logGroupName: "tagged", tags: { a: "1", b: "2" } }));
  await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { c: "3" } }));
  assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { a: "1", b: "2", c: "3" });
  await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
  await logs.send(new UntagLogGroupCommand({ logGroupName: "tagged", tags: ["b"] }));
  assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: "tagged" }))).tags, { c: "3" });
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
  await rejects(logs.send(new TagResourceCommand({ resourceArn: arn, tags: many })), "TooManyTagsException", 400);
  await rejects(logs.send(new ListTagsForResourceCommand({ resourceArn: arn.replace("tagged", "other") })), "ResourceNotFoundException", 400);
});

test("DescribeLogGroups pages with limit and nextToken, by prefix and by pattern", async () => {
  const logs = client();
  for (const n of ["/svc/a", "/svc/b", "/svc/c", "/other/Alpha", "/svc/alpha"]) await logs.send(new CreateLogGroupCommand({ logGroupName: n }));
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const p = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/svc/", limit: 2, nextToken }));
    seen.push(...p.logGroups!.map((g) => g.logGroupName!));
    nextToken = p.nextToken;
  } while (nextToken);
  assert.deepEqual(seen, ["/svc/a", "/svc/alpha", "/svc/b", "/svc/c"]);
  const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "alpha" }));
  assert.deepEqual(
    byPattern.logGroups!.map((g) => g.logGroupName),
    ["/other/Alpha", "/svc/alpha"],
  );
  await rejects(logs.send(new DescribeLogGroupsCommand({ nextToken: "garbage" })), "InvalidParameterException", 400);
});

test("log streams: create, describe by name and by last event time, page, delete", async () => {
  const logs = client();
  await logs.send(new CreateLogGroupCommand({ logGroupName: "s" }));
  await rejects(
    logs.send(new CreateLogStreamCommand({ logGroupName: "none", logStreamName: "x" })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );
  for (const n of ["b", "a", "c"]) await logs.send(new CreateLogStreamCommand({ logGroupName: "s", logStreamName: n }));
  await rejects(
    logs.send(new CreateLogStreamCommand({ logGroupName: "s", logStreamName: "a" })),
    "ResourceAlreadyExistsException",
    400,
    "The specified log stream already exists",
  );
  await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: "s", logStreamName: "bad:name" })), "InvalidParameterException", 400);
  const now = Date.now();
  // c gets the oldest event, a the newest; b none.
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: "s",
      logStreamName: "c",
      logEvents: [
        { timestamp: now - 5000, message: "c1" },
        { timestamp: now - 4000, message: "c2" },
      ],
    }),
  );
  await logs.send(new PutLogEventsCommand({ logGroupName: "s", logStreamName: "a", logEvents: [{ timestamp: now - 1000, message: "a1" }] }));

  const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "s" }));
  assert.deepEqual(
    byName.logStreams!.map((s) => s.logStreamName),
    ["a", "b", "c"],
  );
  const c = byName.logStreams![2];
  assert.equal(c.firstEventTimestamp, now - 5000);
  assert.equal(c.lastEventTimestamp, now - 4000);
  assert.ok(c.lastIngestionTime! >= now - 1000);
  assert.match(c.arn!, /^arn:aws:logs:us-east-1:\d{12}:log-group:s:log-stream:c$/);
  assert.match(c.uploadSequenceToken!, /^\d+$/);
  assert.equal(byName.logStreams![1].lastEventTimestamp, undefined);

  const desc = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "s", descending: true }));
  assert.deepEqual(
    desc.logStreams!.map((s) => s.logStreamName),
    ["c", "b", "a"],
  );
  const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "s", orderBy: "LastEventTime", descending: true }));
  assert.deepEqual(
    byTime.logStreams!.map((s) => s.logStreamName),
    ["a", "c", "b"],
  );
  await rejects(
    logs.send(new DescribeLogStreamsCommand({ logGroupName: "s", orderBy: "LastEventTime", logStreamNamePrefix: "a" })),
    "InvalidParameterException",
    400,
    "Cannot order by LastEventTime with a logStreamNamePrefix.",
  );

  const paged: string[] = [];
  let nextToken: string | undefined;
  do {
    const p = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "s", orderBy: "LastEventTime", limit: 1, nextToken }));
    paged.push(...p.logStreams!.map((s) => s.logStreamName!));
    nextToken = p.nextToken;
  } while (nextToken);
  assert.deepEqual(paged, ["b", "c", "a"]);
  const byPrefix = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: "s", logStreamNamePrefix: "b" }));
  assert.deepEqual(
    byPrefix.logStreams!.map((s) => s.logStreamName),
    ["b"],
  );

  await logs.send(new DeleteLogStreamCommand({ logGroupName: "s", logStreamName: "c" }));
  await rejects(
    logs.send(new DeleteLogStreamCommand({ logGroupName: "s", logStreamName: "c" })),
    "ResourceNotFoundException",
    400,
    "The specified log stream does not exist.",
  );
  assert.deepEqual(
    (await logs.send(new DescribeLogStreamsCommand({ logGroupName: "s" }))).logStreams!.map((s) => s.logStreamName),
    ["a", "b"],
  );
  assert.ok((await logs.send(new DescribeLogGroupsCommand({}))).logGroups![0].storedBytes! > 0);
});
