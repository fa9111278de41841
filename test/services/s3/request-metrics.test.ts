// Request metrics configurations (Put/Get/List/DeleteBucketMetricsConfiguration and their errors) and the AWS/S3
// request metrics they enable, read back through the real CloudWatch client: exact counts and bytes under a
// configuration without a filter, one filtered by prefix and one by tag; nothing for a bucket without a configuration;
// an alarm on 4xxErrors going to ALARM; boto3 reading the configurations back; and both kept across a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  type Statistic,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketMetricsConfigurationCommand,
  DeleteObjectCommand,
  GetBucketMetricsConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketMetricsConfigurationsCommand,
  ListObjectsV2Command,
  PutBucketMetricsConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, startTestServer, type TestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const bucketName = () => `metrics-${Math.random().toString(36).slice(2, 10)}`;

function clients() {
  const account = randomAccount();
  return { account, s3: server.client(S3Client, { account }, { forcePathStyle: true }), cw: server.client(CloudWatchClient, { account }) };
}

test("metrics configurations: put, get, list in Id order with paging, delete, and AWS's errors", async () => {
  const { s3 } = clients();
  const Bucket = bucketName();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "EntireBucket", MetricsConfiguration: { Id: "EntireBucket" } }));
  const tagged = { Id: "tagged", Filter: { And: { Prefix: "docs/", Tags: [{ Key: "team", Value: "blue" }] } } };
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "tagged", MetricsConfiguration: tagged }));
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "logs", MetricsConfiguration: { Id: "logs", Filter: { Prefix: "logs/" } } }));
  const got = await s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: "tagged" }));
  assert.deepEqual(got.MetricsConfiguration, tagged);
  assert.deepEqual((await s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: "EntireBucket" }))).MetricsConfiguration, { Id: "EntireBucket" });
  const list = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }));
  assert.equal(list.IsTruncated, false);
  assert.deepEqual(
    list.MetricsConfigurationList?.map((c) => c.Id),
    ["EntireBucket", "logs", "tagged"],
  );

  await rejects(
    s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: "nope" })),
    "NoSuchConfiguration",
    404,
    "The specified configuration does not exist.",
  );
  await rejects(s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id: "nope" })), "NoSuchConfiguration", 404);
  await rejects(s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "a", MetricsConfiguration: { Id: "b" } })), "MalformedXML", 400);
  await rejects(
    s3.send(
      new PutBucketMetricsConfigurationCommand({
        Bucket,
        Id: "two",
        MetricsConfiguration: { Id: "two", Filter: { Prefix: "a", Tag: { Key: "k", Value: "v" } } as never },
      }),
    ),
    "MalformedXML",
    400,
  );
  await rejects(s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket: bucketName() })), "NoSuchBucket", 404);

  await s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id: "logs" }));
  await rejects(s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: "logs" })), "NoSuchConfiguration", 404);

  // 100 to a page, the rest behind NextContinuationToken.
  for (let i = 0; i < 100; i++) {
    const Id = `p${String(i).padStart(3, "0")}`;
    await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id, MetricsConfiguration: { Id } }));
  }
  const first = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }));
  assert.equal(first.IsTruncated, true);
  assert.equal(first.MetricsConfigurationList?.length, 100);
  const second = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket, ContinuationToken: first.NextContinuationToken }));
  assert.equal(second.IsTruncated, false);
  assert.equal(second.ContinuationToken, first.NextContinuationToken);
  assert.deepEqual(
    second.MetricsConfigurationList?.map((c) => c.Id),
    ["p099", "tagged"],
  );
});

test("AWS/S3 request metrics: exact counts and bytes by BucketName and FilterId, unfiltered, by prefix and by tag", async () => {
  const { s3, cw } = clients();
  const Bucket = bucketName();
  const quiet = bucketName();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: quiet }));
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "logs", MetricsConfiguration: { Id: "logs", Filter: { Prefix: "logs/" } } }));
  await s3.send(
    new PutBucketMetricsConfigurationCommand({ Bucket, Id: "blue", MetricsConfiguration: { Id: "blue", Filter: { Tag: { Key: "team", Value: "blue" } } } }),
  );
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "all", MetricsConfiguration: { Id: "all" } }));
  const start = Date.now();
  await s3.send(new PutObjectCommand({ Bucket, Key: "logs/a.txt", Body: "hello" }));
  await s3.send(new PutObjectCommand({ Bucket, Key: "other/b.txt", Body: "goodbye", Tagging: "team=blue" }));
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: "logs/a.txt" }))).Body?.transformToString(), "hello");
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: "other/b.txt" }))).Body?.transformToString(), "goodbye");
  await s3.send(new HeadObjectCommand({ Bucket, Key: "logs/a.txt" }));
  await rejects(s3.send(new HeadObjectCommand({ Bucket, Key: "logs/missing.txt" })), "NotFound", 404);
  await s3.send(new ListObjectsV2Command({ Bucket }));
  await s3.send(new DeleteObjectCommand({ Bucket, Key: "other/b.txt" }));
  await s3.send(new PutObjectCommand({ Bucket: quiet, Key: "logs/x", Body: "unmeasured" }));

  const stat = async (MetricName: string, FilterId: string, Statistic: Statistic = "Sum") => {
    const { Datapoints } = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/S3",
        MetricName,
        Dimensions: [
          { Name: "BucketName", Value: Bucket },
          { Name: "FilterId", Value: FilterId },
        ],
        StartTime: new Date(Math.floor(start / 60_000) * 60_000 - 60_000),
        EndTime: new Date(Date.now() + 120_000),
        Period: 3600,
        Statistics: [Statistic],
      }),
    );
    return Datapoints?.[0]?.[Statistic];
  };
  // Unfiltered: every request on the bucket after the configuration existed.
  await eventually(async () => assert.equal(await stat("AllRequests", "all"), 8));
  assert.deepEqual(
    await Promise.all(["PutRequests", "GetRequests", "HeadRequests", "ListRequests", "DeleteRequests", "PostRequests"].map((m) => stat(m, "all"))),
    [2, 2, 2, 1, 1, undefined],
  );
  assert.equal(await stat("BytesUploaded", "all"), 5 + 7);
  assert.ok((await stat("BytesDownloaded", "all"))! > 5 + 7, "the listing's document counts too");
  assert.equal(await stat("4xxErrors", "all"), 1);
  assert.equal(await stat("4xxErrors", "all", "SampleCount"), 8);
  assert.equal(await stat("5xxErrors", "all"), 0);
  assert.equal(await stat("TotalRequestLatency", "all", "SampleCount"), 8);
  assert.equal(await stat("FirstByteLatency", "all", "SampleCount"), 8);
  // By prefix: the requests on logs/ keys only.
  assert.equal(await stat("AllRequests", "logs"), 4);
  assert.deepEqual(await Promise.all(["PutRequests", "GetRequests", "HeadRequests", "ListRequests", "DeleteRequests"].map((m) => stat(m, "logs"))), [
    1,
    1,
    2,
    undefined,
    undefined,
  ]);
  assert.equal(await stat("BytesUploaded", "logs"), 5);
  assert.equal(await stat("BytesDownloaded", "logs"), 5);
  assert.equal(await stat("4xxErrors", "logs", "Average"), 0.25);
  // By tag: the tagged object's PUT and GET (its DELETE leaves no object to match).
  assert.equal(await stat("AllRequests", "blue"), 2);
  assert.equal(await stat("BytesUploaded", "blue"), 7);
  assert.equal(await stat("BytesDownloaded", "blue"), 7);

  const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: "AWS/S3", MetricName: "AllRequests" }));
  assert.deepEqual(Metrics?.map((m) => m.Dimensions?.find((d) => d.Name === "FilterId")?.Value).sort(), ["all", "blue", "logs"]);
  assert.ok(Metrics?.every((m) => m.Dimensions?.find((d) => d.Name === "BucketName")?.Value === Bucket));
});

test("an alarm on AWS/S3 4xxErrors goes to ALARM when requests fail; a deleted bucket's configurations go with it", async () => {
  const { s3, cw } = clients();
  const Bucket = bucketName();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "EntireBucket", MetricsConfiguration: { Id: "EntireBucket" } }));
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: "s3-client-errors",
      Namespace: "AWS/S3",
      MetricName: "4xxErrors",
      Dimensions: [
        { Name: "BucketName", Value: Bucket },
        { Name: "FilterId", Value: "EntireBucket" },
      ],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    }),
  );
  await rejects(s3.send(new GetObjectCommand({ Bucket, Key: "missing" })), "NoSuchKey", 404);
  await eventually(async () => {
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["s3-client-errors"] }));
    assert.equal(MetricAlarms?.[0]?.StateValue, "ALARM");
  });

  await s3.send(new DeleteBucketCommand({ Bucket }));
  await s3.send(new CreateBucketCommand({ Bucket }));
  const { MetricsConfigurationList } = await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }));
  assert.equal(MetricsConfigurationList, undefined);
});

const noPython = pythonMissing();
test("boto3: put, get and list a metrics configuration", { skip: noPython }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
s3.create_bucket(Bucket="${bucketName()}-py")
b = s3.list_buckets()["Buckets"][0]["Name"]
s3.put_bucket_metrics_configuration(Bucket=b, Id="docs", MetricsConfiguration={"Id": "docs", "Filter": {"Tag": {"Key": "k", "Value": "v"}}})
got = s3.get_bucket_metrics_configuration(Bucket=b, Id="docs")["MetricsConfiguration"]
listed = s3.list_bucket_metrics_configurations(Bucket=b)
try:
    s3.get_bucket_metrics_configuration(Bucket=b, Id="gone")
    code = None
except s3.exceptions.ClientError as e:
    code = e.response["Error"]["Code"]
print(json.dumps({"got": got, "ids": [c["Id"] for c in listed["MetricsConfigurationList"]], "truncated": listed["IsTruncated"], "code": code}))
`;
  const { stdout } = await run("python3", ["-c", script, server.url]);
  assert.deepEqual(JSON.parse(stdout), {
    got: { Id: "docs", Filter: { Tag: { Key: "k", Value: "v" } } },
    ids: ["docs"],
    truncated: false,
    code: "NoSuchConfiguration",
  });
});

test("after a restart, the configurations are kept and the first request on the bucket is counted", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-s3-metrics-"));
  try {
    const account = randomAccount();
    const Bucket = bucketName();
    let s = await startTestServer({ dataDir });
    const s3Of = (t: TestServer) => new S3Client({ ...t.clientConfig({ account }), forcePathStyle: true });
    await s3Of(s).send(new CreateBucketCommand({ Bucket }));
    await s3Of(s).send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: "kept", MetricsConfiguration: { Id: "kept", Filter: { Prefix: "p/" } } }));
    await s.close();
    s = await startTestServer({ dataDir });
    try {
      const start = Date.now();
      // S3 started with the server (it has configurations): this first request of the new server counts.
      await s3Of(s).send(new PutObjectCommand({ Bucket, Key: "p/1", Body: "abc" }));
      assert.deepEqual((await s3Of(s).send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: "kept" }))).MetricsConfiguration, {
        Id: "kept",
        Filter: { Prefix: "p/" },
      });
      const cw = new CloudWatchClient(s.clientConfig({ account }));
      await eventually(async () => {
        const { Datapoints } = await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/S3",
            MetricName: "PutRequests",
            Dimensions: [
              { Name: "BucketName", Value: Bucket },
              { Name: "FilterId", Value: "kept" },
            ],
            StartTime: new Date(start - 120_000),
            EndTime: new Date(Date.now() + 120_000),
            Period: 3600,
            Statistics: ["Sum"],
          }),
        );
        assert.equal(Datapoints?.[0]?.Sum, 1);
      });
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
