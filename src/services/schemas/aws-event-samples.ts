// The events AWS's services that Stratus runs send to EventBridge, as AWS documents them: the sample event of each
// (ids and accounts as in the documentation). aws-events-gen.ts infers the aws.events registry's schemas from them
// (aws-events.generated.ts, committed); `npx tsx src/services/schemas/aws-events-gen.ts` writes it again.
export interface AwsEventSample {
  /** Where AWS documents the event. */
  from: string;
  event: Record<string, unknown>;
}

export const AWS_EVENT_SAMPLES: AwsEventSample[] = [
  {
    from: "Amazon S3 User Guide, 'EventBridge event message structure' (ev-events.html): Object Created",
    event: {
      version: "0",
      id: "17793124-05d4-b198-2fde-7ededc63b103",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "111122223333",
      time: "2021-11-12T00:00:00Z",
      region: "ca-central-1",
      resources: ["arn:aws:s3:::example-bucket"],
      detail: {
        version: "0",
        bucket: { name: "example-bucket" },
        object: {
          key: "example-key",
          size: 5,
          etag: "b1946ac92492d2347c6235b4d2611184",
          "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
          sequencer: "617f08299329d189",
        },
        "request-id": "N4N7GDK58NMKJ12R",
        requester: "123456789012",
        "source-ip-address": "1.2.3.4",
        reason: "PutObject",
      },
    },
  },
  {
    from: "Amazon S3 User Guide, 'EventBridge event message structure' (ev-events.html): Object Deleted",
    event: {
      version: "0",
      id: "2ee9cc15-d022-99ea-1fb8-1b1bac4850f9",
      "detail-type": "Object Deleted",
      source: "aws.s3",
      account: "111122223333",
      time: "2021-11-12T00:00:00Z",
      region: "ca-central-1",
      resources: ["arn:aws:s3:::example-bucket"],
      detail: {
        version: "0",
        bucket: { name: "example-bucket" },
        object: {
          key: "example-key",
          etag: "d41d8cd98f00b204e9800998ecf8427e",
          "version-id": "1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF",
          sequencer: "617f0837b476e463",
        },
        "request-id": "0BH729840619AG5K",
        requester: "123456789012",
        "source-ip-address": "1.2.3.4",
        reason: "DeleteObject",
        "deletion-type": "Delete Marker Created",
      },
    },
  },
  {
    from: "Amazon CloudWatch User Guide, 'Alarm events and EventBridge' (cloudwatch-and-eventbridge.html): single-metric alarm",
    event: {
      version: "0",
      id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
      "detail-type": "CloudWatch Alarm State Change",
      source: "aws.cloudwatch",
      account: "123456789012",
      time: "2019-10-02T17:04:40Z",
      region: "us-east-1",
      resources: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
      detail: {
        alarmName: "ServerCpuTooHigh",
        configuration: {
          description: "Goes into alarm when server CPU utilization is too high!",
          metrics: [
            {
              id: "30b6c6b2-a864-43a2-4877-c09a1afc3b87",
              metricStat: {
                metric: { dimensions: { InstanceId: "i-12345678901234567" }, name: "CPUUtilization", namespace: "AWS/EC2" },
                period: 300,
                stat: "Average",
              },
              returnData: true,
            },
          ],
        },
        previousState: {
          reason:
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0666851903306472 (01/10/19 13:46:00)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
          reasonData:
            '{"version":"1.0","queryDate":"2019-10-01T13:56:40.985+0000","startDate":"2019-10-01T13:46:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[0.0666851903306472],"threshold":50.0}',
          timestamp: "2019-10-01T13:56:40.987+0000",
          value: "OK",
        },
        state: {
          reason:
            "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).",
          reasonData:
            '{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":"2019-10-02T16:59:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[99.50160229693434],"threshold":50.0}',
          timestamp: "2019-10-02T17:04:40.989+0000",
          value: "ALARM",
        },
      },
    },
  },
  {
    from: "Amazon EventBridge User Guide, 'Amazon EventBridge scheduled rules' (eb-create-rule-schedule.html): Scheduled Event",
    event: {
      version: "0",
      id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2016-12-30T18:44:49Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:123456789012:rule/SampleRule"],
      detail: {},
    },
  },
  {
    from: "Amazon EC2 User Guide, 'Amazon EventBridge for Amazon EC2' (monitoring-instance-state-changes.html); its schema as the AWS CLI's export-schema example shows it",
    event: {
      version: "0",
      id: "7bf73129-1428-4cd3-a780-95db273d1602",
      "detail-type": "EC2 Instance State-change Notification",
      source: "aws.ec2",
      account: "123456789012",
      time: "2019-11-11T21:29:54Z",
      region: "us-east-1",
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
      detail: { "instance-id": "i-abcd1111", state: "pending" },
    },
  },
];
