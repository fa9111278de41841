// A small catalog of AWS managed policies (arn:aws:iam::aws:policy/…) that templates and tests attach most often.
import { createHash } from "node:crypto";
import { globalArn } from "../../core/arn.js";

export interface AwsManagedPolicy {
  name: string;
  path: string;
  id: string;
  arn: string;
  description: string;
  document: string;
  versionId: string;
  createDate: number;
  updateDate: number;
}

const statement = (actions: string | string[], resource: string | string[] = "*", notAction = false) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", [notAction ? "NotAction" : "Action"]: actions, Resource: resource }] }, null, 4);

const defs: [name: string, path: string, description: string, document: string][] = [
  ["AdministratorAccess", "/", "Provides full access to AWS services and resources.", statement("*")],
  [
    "PowerUserAccess",
    "/",
    "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    statement(["iam:*", "organizations:*", "account:*"], "*", true),
  ],
  ["ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.", statement(["*:Describe*", "*:Get*", "*:List*"])],
  [
    "IAMFullAccess",
    "/",
    "Provides full access to IAM via the AWS Management Console.",
    statement(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization"]),
  ],
  [
    "IAMReadOnlyAccess",
    "/",
    "Provides read only access to IAM via the AWS Management Console.",
    statement(["iam:GenerateCredentialReport", "iam:Get*", "iam:List*"]),
  ],
  ["AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.", statement(["s3:*", "s3-object-lambda:*"])],
  ["AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.", statement(["s3:Get*", "s3:List*"])],
  ["AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.", statement("sqs:*")],
  ["AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.", statement("sns:*")],
  ["AmazonDynamoDBFullAccess", "/", "Provides full access to Amazon DynamoDB via the AWS Management Console.", statement("dynamodb:*")],
  ["CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs", statement("logs:*")],
  [
    "AWSLambda_FullAccess",
    "/",
    "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
    statement("lambda:*"),
  ],
  [
    "AWSLambdaBasicExecutionRole",
    "/service-role/",
    "Provides write permissions to CloudWatch Logs.",
    statement(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),
  ],
  [
    "AWSLambdaSQSQueueExecutionRole",
    "/service-role/",
    "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
    statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),
  ],
  [
    "AmazonECSTaskExecutionRolePolicy",
    "/service-role/",
    "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
    statement([
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]),
  ],
  [
    "AmazonEC2ContainerRegistryReadOnly",
    "/",
    "Provides read-only access to Amazon EC2 Container Registry repositories.",
    statement([
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:DescribeRepositories",
      "ecr:ListImages",
      "ecr:BatchGetImage",
    ]),
  ],
  [
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudFormationReadOnlyAccess.html (v4); the CDK
    // bootstrap template's DeploymentActionRole attaches it.
    "AWSCloudFormationReadOnlyAccess",
    "/",
    "Provides access to AWS CloudFormation via the AWS Management Console.",
    statement([
      "cloudformation:Describe*",
      "cloudformation:EstimateTemplateCost",
      "cloudformation:Get*",
      "cloudformation:List*",
      "cloudformation:ValidateTemplate",
      "cloudformation:Detect*",
    ]),
  ],
  ["AmazonSSMReadOnlyAccess", "/", "Provides read only access to Amazon SSM.", statement(["ssm:Describe*", "ssm:Get*", "ssm:List*"])],
  // Attached by the CDK's RestApi CloudWatch role (AWS::ApiGateway::Account). unverified wording (the description)
  [
    "AmazonAPIGatewayPushToCloudWatchLogs",
    "/service-role/",
    "Allows API Gateway to push logs to user's account.",
    statement([
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:FilterLogEvents",
    ]),
  ],
  ["SecretsManagerReadWrite", "/", "Provides read/write access to AWS Secrets Manager via the AWS Management Console.", statement("secretsmanager:*")],
];

// Fixed dates and ids so every account and every restart sees the same catalog.
const CREATED = Date.UTC(2015, 1, 6, 18, 39, 46);
const stableId = (name: string) => {
  const h = createHash("sha256").update(`aws-managed:${name}`).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return "ANPA" + Array.from(h.subarray(0, 17), (b) => alphabet[b % alphabet.length]).join("");
};

export const AWS_MANAGED: AwsManagedPolicy[] = defs
  .map(([name, path, description, document]) => ({
    name,
    path,
    description,
    document,
    id: stableId(name),
    arn: globalArn("aws", "iam", `policy${path}${name}`),
    versionId: "v1",
    createDate: CREATED,
    updateDate: CREATED,
  }))
  .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));

const byArn = new Map(AWS_MANAGED.map((p) => [p.arn, p]));
export const awsManagedPolicy = (arn: string) => byArn.get(arn);
