// AWS/S3's daily storage metrics, on a manual clock: a day after S3 started, BucketSizeBytes by StorageType (every
// version by its storage class, an incomplete upload's parts as StandardStorage) and NumberOfObjects (AllStorageTypes),
// stamped at the start of the UTC day; a bucket with nothing stored publishes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

const DAY = 86_400_000;

test("BucketSizeBytes by StorageType and NumberOfObjects, once a day, for the buckets that store something", async () => {
  const clock = new ManualClock();
  const s = await startTestServer({ clock });
  try {
    const account = randomAccount();
    const s3 = new S3Client({ ...s.clientConfig({ account }), forcePathStyle: true });
    const cw = new CloudWatchClient(s.clientConfig({ account }));
    const Bucket = `stored-${Math.random().toString(36).slice(2, 10)}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: `${Bucket}-empty` }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "a", Body: "12345" }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "a", Body: "1234567" })); // the first stays as noncurrent
    await s3.send(new PutObjectCommand({ Bucket, Key: "cold", Body: "123", StorageClass: "STANDARD_IA" }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "big" }));
    await s3.send(new UploadPartCommand({ Bucket, Key: "big", UploadId, PartNumber: 1, Body: "part!" }));

    clock.advance(DAY);
    const day = clock.now() - (clock.now() % DAY);
    const stat = async (MetricName: string, StorageType: string) => {
      const { Datapoints } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/S3",
          MetricName,
          Dimensions: [
            { Name: "BucketName", Value: Bucket },
            { Name: "StorageType", Value: StorageType },
          ],
          StartTime: new Date(day - DAY),
          EndTime: new Date(day + DAY),
          Period: 86_400,
          Statistics: ["Average"],
        }),
      );
      return Datapoints?.find((d) => d.Timestamp?.getTime() === day);
    };
    // The day's measurement runs, then its values go out with the next flush (a second on).
    await eventually(async () => {
      clock.advance(1_000);
      assert.equal((await stat("NumberOfObjects", "AllStorageTypes"))?.Average, 4);
    });
    const standard = await stat("BucketSizeBytes", "StandardStorage");
    assert.deepEqual([standard?.Average, standard?.Unit], [5 + 7 + 5, "Bytes"]);
    assert.equal((await stat("BucketSizeBytes", "StandardIAStorage"))?.Average, 3);
    const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: "AWS/S3", MetricName: "NumberOfObjects" }));
    assert.deepEqual(
      Metrics?.map((m) => m.Dimensions?.find((d) => d.Name === "BucketName")?.Value),
      [Bucket],
    );
  } finally {
    await s.close();
  }
});
