// The bucket policy AWS documents for CloudWatch Logs exports, shared by the export tests.

/** The bucket policy AWS documents for exports (S3ExportTasks.html, step 3). */
export function exportPolicy(bucket: string, account: string, region = "us-east-1"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { "aws:SourceAccount": [account] }, ArnLike: { "aws:SourceArn": [`arn:aws:logs:${region}:${account}:log-group:*`] } },
      },
      {
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: {
          StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": [account] },
          ArnLike: { "aws:SourceArn": [`arn:aws:logs:${region}:${account}:log-group:*`] },
        },
      },
    ],
  });
}
