// Every AWS service on the roadmap: its folder (the @aws-sdk/client-<name> suffix) and botocore model name.
export interface CatalogEntry {
  name: string;
  botocore: string;
  /** The CloudTrail eventSource host, when it differs from `<signingName>.amazonaws.com`. */
  eventSource?: string;
}

export const SERVICES: CatalogEntry[] = [
  { name: "sts", botocore: "sts" },
  { name: "iam", botocore: "iam" },
  { name: "cloudtrail", botocore: "cloudtrail" },
  { name: "s3", botocore: "s3" },
  { name: "sqs", botocore: "sqs" },
  { name: "sns", botocore: "sns" },
  { name: "ssm", botocore: "ssm" },
  { name: "secrets-manager", botocore: "secretsmanager" },
  { name: "kms", botocore: "kms" },
  { name: "cloudwatch-logs", botocore: "logs" },
  { name: "cloudwatch", botocore: "cloudwatch" },
  { name: "eventbridge", botocore: "events" },
  { name: "lambda", botocore: "lambda" },
  { name: "cloudformation", botocore: "cloudformation" },
  { name: "xray", botocore: "xray" },
  { name: "ecs", botocore: "ecs" },
  { name: "ecr", botocore: "ecr" },
  { name: "eks", botocore: "eks" },
  { name: "elastic-beanstalk", botocore: "elasticbeanstalk" },
  { name: "application-auto-scaling", botocore: "application-autoscaling" },
  { name: "codebuild", botocore: "codebuild" },
  { name: "codepipeline", botocore: "codepipeline" },
  { name: "codedeploy", botocore: "codedeploy" },
  { name: "codeartifact", botocore: "codeartifact" },
  { name: "global-accelerator", botocore: "globalaccelerator" },
  { name: "ec2", botocore: "ec2" },
  { name: "synthetics", botocore: "synthetics" },
  { name: "schemas", botocore: "schemas" },
];
