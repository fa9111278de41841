// Which resources an event touched, as Event history shows them: derived from well-known members of
// the call's input (and output, for resources the call created), per service.
import type { AuditResource } from "../../core/store/events.js";

// Dot paths into the input, then the output ("AccessKey.AccessKeyId" finds CreateAccessKey's new key).
const BY_SERVICE: Record<string, [path: string, type: string][]> = {
  iam: [
    ["UserName", "AWS::IAM::User"],
    ["User.UserName", "AWS::IAM::User"],
    ["AccessKey.UserName", "AWS::IAM::User"],
    ["RoleName", "AWS::IAM::Role"],
    ["Role.RoleName", "AWS::IAM::Role"],
    ["GroupName", "AWS::IAM::Group"],
    ["Group.GroupName", "AWS::IAM::Group"],
    ["PolicyArn", "AWS::IAM::Policy"],
    ["Policy.Arn", "AWS::IAM::Policy"],
    ["InstanceProfileName", "AWS::IAM::InstanceProfile"],
    ["InstanceProfile.InstanceProfileName", "AWS::IAM::InstanceProfile"],
    ["AccessKeyId", "AWS::IAM::AccessKey"],
    ["AccessKey.AccessKeyId", "AWS::IAM::AccessKey"],
    ["OpenIDConnectProviderArn", "AWS::IAM::OIDCProvider"],
    ["SAMLProviderArn", "AWS::IAM::SAMLProvider"],
    ["ServerCertificateName", "AWS::IAM::ServerCertificate"],
    ["SerialNumber", "AWS::IAM::MFADevice"],
    ["VirtualMFADevice.SerialNumber", "AWS::IAM::MFADevice"],
  ],
  sts: [
    ["RoleArn", "AWS::IAM::Role"],
    ["SerialNumber", "AWS::IAM::MFADevice"],
  ],
  cloudwatch: [
    ["AlarmName", "AWS::CloudWatch::Alarm"],
    ["AlarmNames", "AWS::CloudWatch::Alarm"],
    ["DashboardName", "AWS::CloudWatch::Dashboard"],
  ],
  "cloudwatch-logs": [
    ["logGroupName", "AWS::Logs::LogGroup"],
    ["logStreamName", "AWS::Logs::LogStream"],
  ],
  sqs: [
    ["QueueUrl", "AWS::SQS::Queue"],
    ["QueueName", "AWS::SQS::Queue"],
  ],
  sns: [
    ["TopicArn", "AWS::SNS::Topic"],
    ["SubscriptionArn", "AWS::SNS::Subscription"],
  ],
  s3: [["Bucket", "AWS::S3::Bucket"]],
  lambda: [
    ["FunctionName", "AWS::Lambda::Function"],
    ["LayerName", "AWS::Lambda::LayerVersion"],
  ],
  kms: [
    ["KeyId", "AWS::KMS::Key"],
    ["KeyMetadata.Arn", "AWS::KMS::Key"],
    ["AliasName", "AWS::KMS::Alias"],
  ],
  "secrets-manager": [
    ["SecretId", "AWS::SecretsManager::Secret"],
    ["Name", "AWS::SecretsManager::Secret"],
  ],
  ssm: [["Name", "AWS::SSM::Parameter"]],
  cloudformation: [
    ["StackName", "AWS::CloudFormation::Stack"],
    ["StackId", "AWS::CloudFormation::Stack"],
    ["ChangeSetName", "AWS::CloudFormation::ChangeSet"],
  ],
  ecr: [["repositoryName", "AWS::ECR::Repository"]],
  ecs: [
    ["cluster", "AWS::ECS::Cluster"],
    ["serviceName", "AWS::ECS::Service"],
    ["taskDefinition", "AWS::ECS::TaskDefinition"],
  ],
  eventbridge: [
    ["Name", "AWS::Events::Rule"],
    ["Rule", "AWS::Events::Rule"],
    ["EventBusName", "AWS::Events::EventBus"],
  ],
  codebuild: [
    ["projectName", "AWS::CodeBuild::Project"],
    ["name", "AWS::CodeBuild::Project"],
  ],
  codepipeline: [
    ["name", "AWS::CodePipeline::Pipeline"],
    ["pipelineName", "AWS::CodePipeline::Pipeline"],
  ],
  ec2: [
    ["InstanceIds", "AWS::EC2::Instance"],
    ["InstanceId", "AWS::EC2::Instance"],
    ["VpcId", "AWS::EC2::VPC"],
    ["SubnetId", "AWS::EC2::Subnet"],
    ["GroupId", "AWS::EC2::SecurityGroup"],
  ],
};

function at(obj: unknown, path: string): unknown {
  let v = obj;
  for (const part of path.split(".")) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export function resourcesOf(service: string, input?: Record<string, unknown>, output?: Record<string, unknown>): AuditResource[] {
  const paths = BY_SERVICE[service];
  if (!paths) return [];
  const found: AuditResource[] = [];
  const add = (type: string, name: unknown) => {
    if (typeof name !== "string" || !name) return;
    if (!found.some((r) => r.type === type && r.name === name)) found.push({ type, name });
  };
  for (const source of [input, output]) {
    if (!source) continue;
    for (const [path, type] of paths) {
      const v = at(source, path);
      if (Array.isArray(v)) v.forEach((n) => add(type, n));
      else add(type, v);
    }
  }
  return found;
}
