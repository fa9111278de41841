// What the CloudTrail tests share: the bucket policy AWS documents for a trail's bucket
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
export function trailBucketPolicy(bucket: string, account: string, prefix = "", sourceArn?: string) {
  const p = prefix ? `${prefix}/` : "";
  const condition = sourceArn ? { StringEquals: { "aws:SourceArn": sourceArn } } : undefined;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: condition,
      },
      {
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/${p}AWSLogs/${account}/*`,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...(sourceArn ? { "aws:SourceArn": sourceArn } : {}) } },
      },
    ],
  });
}
