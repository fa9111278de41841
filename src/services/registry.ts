// Every AWS service on the roadmap, one declaration each: everything the gateway and runtime need before the
// service loads (its handlers are loaded on its first call, so start-up does not compile them all and the bundle
// splits them out). Adding a service is its folder plus one entry here: docs/ADDING-A-SERVICE.md.
import type { ServiceRegistration } from "../core/service.js";
import { Catalog } from "../core/catalog.js";
import { ecrValidate } from "./ecr/validate.js";
import { iamCredentialSource } from "./iam/credentials.js";
import { iamValidate } from "./iam/validate.js";
import { credentialSource as stsCredentialSource } from "./sts/credentials.js";
import { s3Quirk } from "./s3/wire/quirk.js";
import { xrayQuirk } from "./xray/sampling/daemon-quirk.js";
import { s3Validate } from "./s3/wire/responses.js";
import { s3WireTraits } from "./s3/wire/traits.js";
import { secretsManagerValidate } from "./secrets-manager/validate.js";
import { validateSchemasInput } from "./schemas/validate.js";
import { snsValidate } from "./sns/validate.js";
import { sqsQuirk, sqsWireTraits } from "./sqs/wire.js";
import { sqsRelaxations } from "./sqs/relaxations.js";

// S3 website endpoints: <bucket>.s3-website.localhost, <bucket>.s3-website-<region>.localhost, <bucket>.s3-website.<region>.localhost
// (or .amazonaws.com), addressed by Host.
const S3_WEBSITE_HOST = /^.+\.s3-website(?:[.-][a-z]{2}(?:-[a-z]+)+-\d)?\.(?:localhost|amazonaws\.com)(?::\d+)?$/i;
// Lambda function URLs: <url-id>.lambda-url.<region>.localhost (or .on.aws) addressed by Host.
const LAMBDA_URL_HOST = /^[a-z0-9]{32}\.lambda-url\.[a-z0-9-]+\.(?:localhost|on\.aws)(?::\d+)?$/i;

// API Gateway's execute-api endpoints: <apiId>.execute-api.localhost (or .execute-api.<region>.amazonaws.com,
// .execute-api.<region>.localhost), addressed by Host; and LocalStack's path form.
const EXECUTE_API_HOST = /^[a-z0-9]{10}\.execute-api\.(?:[a-z0-9-]+\.)?(?:localhost|localhost\.localstack\.cloud|amazonaws\.com)(?::\d+)?$/i;
const USER_REQUEST_PATH = /^\/restapis\/[a-z0-9]{10}\/[^/]+\/_user_request_(?:\/|$)/i;

export const REGISTRY: ServiceRegistration[] = [
  {
    name: "sts",
    botocore: "sts",
    load: () => import("./sts/index.js"),
    credentialSource: stsCredentialSource, // session credentials
  },
  {
    name: "iam",
    botocore: "iam",
    load: () => import("./iam/index.js"),
    credentialSource: iamCredentialSource, // access keys
    validate: iamValidate, // "Invalid ARN:  Could not be parsed!" before the model's constraints
    resources: {
      types: [
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::UserToGroupAddition",
        "AWS::IAM::AccessKey",
        "AWS::IAM::InstanceProfile",
      ],
      load: () => import("./iam/cloudformation.js"),
    },
  },
  {
    name: "cloudtrail",
    botocore: "cloudtrail",
    load: () => import("./cloudtrail/index.js"),
    resources: { types: ["AWS::CloudTrail::Trail"], load: () => import("./cloudtrail/cloudformation.js") },
  },
  {
    name: "s3",
    botocore: "s3",
    load: () => import("./s3/index.js"),
    quirk: s3Quirk, // streamed uploads, aws-chunked, SigV2, POST uploads, CORS, virtual hosts
    validate: s3Validate, // no ValidationException: InvalidArgument, MalformedXML
    wire: s3WireTraits, // bare <Error>s, its namespace on every document, 405 for unrouted requests
    // Static website endpoints: <bucket>.s3-website[.-<region>].localhost, served from the bucket's website configuration.
    routes: [{ matches: (host) => S3_WEBSITE_HOST.test(host), load: () => import("./s3/website-serve.js") }],
    resources: { types: ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"], load: () => import("./s3/cloudformation.js") },
  },
  {
    name: "sqs",
    botocore: "sqs",
    load: () => import("./sqs/index.js"),
    quirk: sqsQuirk, // the query protocol's names, which the JSON model lost
    relaxed: sqsRelaxations, // ReceiveMessage's AttributeNames takes the message-system names
    wire: sqsWireTraits, // JSON errors' __type is the full shape id, com.amazonaws.sqs#<Shape>
    resources: { types: ["AWS::SQS::Queue", "AWS::SQS::QueuePolicy"], load: () => import("./sqs/cloudformation.js") },
  },
  {
    name: "sns",
    botocore: "sns",
    load: () => import("./sns/index.js"),
    validate: snsValidate, // a required member left out: InvalidParameter "… Reason: no value for required parameter"
    // SigningCertURL, SubscribeURL and UnsubscribeURL.
    routes: [{ matches: (_host, path) => path.startsWith("/_stratus/sns/"), load: () => import("./sns/routes.js") }],
    resources: { types: ["AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy"], load: () => import("./sns/cloudformation.js") },
  },
  {
    name: "ssm",
    botocore: "ssm",
    load: () => import("./ssm/index.js"),
    resources: { types: ["AWS::SSM::Parameter"], load: () => import("./ssm/cloudformation.js") },
  },
  {
    name: "secrets-manager",
    botocore: "secretsmanager",
    load: () => import("./secrets-manager/index.js"),
    validate: secretsManagerValidate, // a SecretId no name could be: "Invalid name…" before the model and any lookup
    resources: {
      types: [
        "AWS::SecretsManager::Secret",
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::SecretsManager::RotationSchedule",
        "AWS::SecretsManager::SecretTargetAttachment",
      ],
      load: () => import("./secrets-manager/cloudformation.js"),
    },
  },
  {
    name: "kms",
    botocore: "kms",
    load: () => import("./kms/index.js"),
    resources: { types: ["AWS::KMS::Key", "AWS::KMS::Alias"], load: () => import("./kms/cloudformation.js") },
  },
  {
    name: "cloudwatch-logs",
    botocore: "logs",
    load: () => import("./cloudwatch-logs/index.js"),
    validationCode: "InvalidParameterException", // its model's constraints, worded as Logs answers them
    resources: {
      types: ["AWS::Logs::LogGroup", "AWS::Logs::LogStream", "AWS::Logs::SubscriptionFilter", "AWS::Logs::MetricFilter", "AWS::Logs::QueryDefinition"],
      load: () => import("./cloudwatch-logs/cloudformation.js"),
    },
  },
  {
    name: "cloudwatch",
    botocore: "cloudwatch",
    load: () => import("./cloudwatch/index.js"),
    // JSON and CBOR errors' __type is the full shape id (com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound: LocalStack's
    // recorded AWS snapshot, test_exception_serializing_with_no_shape_in_spec).
    // A plain JSON or CBOR call (no x-amzn-query-mode: true) gets 400 for every modeled client error (same source).
    wire: { errorNamespace: "com.amazonaws.cloudwatch.v2010_08_01", errorStatusOutsideQueryMode: 400 },
    resources: {
      types: ["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::CloudWatch::Dashboard", "AWS::CloudWatch::AnomalyDetector"],
      load: () => import("./cloudwatch/cloudformation.js"),
    },
  },
  {
    name: "eventbridge",
    botocore: "events",
    load: () => import("./eventbridge/index.js"),
    resources: {
      types: ["AWS::Events::Archive", "AWS::Events::EventBus", "AWS::Events::EventBusPolicy", "AWS::Events::Rule"],
      load: () => import("./eventbridge/cloudformation.js"),
    },
  },
  {
    name: "lambda",
    botocore: "lambda",
    load: () => import("./lambda/index.js"),
    // Function URLs (by Host or /_stratus/lambda/url/) and function code downloads (/_stratus/lambda/code/).
    routes: [{ matches: (host, path) => path.startsWith("/_stratus/lambda/") || LAMBDA_URL_HOST.test(host), load: () => import("./lambda/url-invoke.js") }],
    // CreateFunction and UpdateFunctionCode carry a 50 MB zip as base64 JSON (AWS's own request limit).
    bodyLimit: 69_905_067,
    resources: {
      types: [
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::Url",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::LayerVersionPermission",
        "AWS::Lambda::EventInvokeConfig",
      ],
      load: () => import("./lambda/cloudformation.js"),
    },
  },
  {
    name: "cloudformation",
    botocore: "cloudformation",
    load: () => import("./cloudformation/index.js"),
    // A custom resource's ResponseURL and a wait condition handle's URL (presigned, served by cloudformation/responses.ts).
    routes: [{ matches: (_host, path) => path.startsWith("/_stratus/cloudformation/"), load: () => import("./cloudformation/responses.js") }],
    // Its own types: nested stacks, custom resources, wait conditions, macros (cloudformation/providers.ts).
    resources: {
      types: [
        "AWS::CloudFormation::CustomResource",
        "AWS::CloudFormation::WaitCondition",
        "AWS::CloudFormation::WaitConditionHandle",
        "AWS::CloudFormation::Macro",
        "AWS::CloudFormation::Stack",
        "AWS::CDK::Metadata",
      ],
      load: () => import("./cloudformation/providers.js"),
    },
  },
  // Cloud Control API: the resource types above, through the same providers CloudFormation's engine uses.
  { name: "cloudcontrol", botocore: "cloudcontrol", load: () => import("./cloudcontrol/index.js") },
  {
    name: "api-gateway",
    botocore: "apigateway",
    load: () => import("./api-gateway/index.js"),
    // Deployed REST and HTTP APIs: http://<apiId>.execute-api.localhost:4566/<stage>/<path> (by Host), and the
    // path form http://localhost:4566/restapis/<apiId>/<stage>/_user_request_/<path> tools written for LocalStack use.
    routes: [{ matches: (host, path) => EXECUTE_API_HOST.test(host) || USER_REQUEST_PATH.test(path), load: () => import("./api-gateway/execute/route.js") }],
    // A REST API's body (ImportRestApi, PutRestApi) may be a large OpenAPI document.
    bodyLimit: 10_485_760,
    resources: {
      types: [
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::Account",
        "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::UsagePlanKey",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::BasePathMapping",
      ],
      load: () => import("./api-gateway/cloudformation.js"),
    },
  },
  // HTTP APIs: the control plane; API Gateway's execute-api route above serves them.
  {
    name: "apigatewayv2",
    botocore: "apigatewayv2",
    load: () => import("./apigatewayv2/index.js"),
    // API Gateway has no ValidationException: a value outside the model's constraints is a BadRequestException.
    validationCode: "BadRequestException",
    // ImportApi / ReimportApi take a whole OpenAPI document.
    bodyLimit: 10_485_760,
    resources: {
      types: [
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Route",
        "AWS::ApiGatewayV2::Integration",
        "AWS::ApiGatewayV2::Stage",
        "AWS::ApiGatewayV2::Authorizer",
        "AWS::ApiGatewayV2::Deployment",
      ],
      load: () => import("./apigatewayv2/cloudformation.js"),
    },
  },
  {
    name: "xray",
    botocore: "xray",
    load: () => import("./xray/index.js"),
    quirk: xrayQuirk, // the SDKs' unsigned daemon calls POST /GetSamplingRules and /SamplingTargets
    routes: [{ matches: (_host, path) => path === "/_stratus/xray/daemon", load: () => import("./xray/daemon-route.js") }],
    resources: {
      types: ["AWS::XRay::SamplingRule", "AWS::XRay::ResourcePolicy", "AWS::XRay::Group"],
      load: () => import("./xray/cloudformation.js"),
    },
  },
  { name: "ecs", botocore: "ecs" },
  {
    name: "ecr",
    botocore: "ecr",
    load: () => import("./ecr/index.js"),
    validate: ecrValidate, // a repository name outside the pattern: InvalidParameterException, worded as ECR words it
    resources: { types: ["AWS::ECR::Repository"], load: () => import("./ecr/cloudformation.js") },
  },
  { name: "eks", botocore: "eks" },
  { name: "elastic-beanstalk", botocore: "elasticbeanstalk" },
  { name: "application-auto-scaling", botocore: "application-autoscaling" },
  { name: "codebuild", botocore: "codebuild" },
  { name: "codepipeline", botocore: "codepipeline" },
  { name: "codedeploy", botocore: "codedeploy" },
  { name: "codeartifact", botocore: "codeartifact" },
  { name: "global-accelerator", botocore: "globalaccelerator" },
  { name: "ec2", botocore: "ec2" },
  {
    name: "synthetics",
    botocore: "synthetics",
    load: () => import("./synthetics/index.js"),
    resources: { types: ["AWS::Synthetics::Canary", "AWS::Synthetics::Group"], load: () => import("./synthetics/cloudformation.js") },
  },
  {
    name: "schemas",
    botocore: "schemas",
    load: () => import("./schemas/index.js"),
    validate: validateSchemasInput,
    resources: {
      types: ["AWS::EventSchemas::Discoverer", "AWS::EventSchemas::Registry", "AWS::EventSchemas::RegistryPolicy", "AWS::EventSchemas::Schema"],
      load: () => import("./schemas/cloudformation.js"),
    },
  },
  {
    name: "scheduler",
    botocore: "scheduler",
    load: () => import("./scheduler/index.js"),
    resources: { types: ["AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup"], load: () => import("./scheduler/cloudformation.js") },
  },
  {
    name: "evidently",
    botocore: "evidently",
    load: () => import("./evidently/index.js"),
    resources: {
      types: ["AWS::Evidently::Project", "AWS::Evidently::Feature", "AWS::Evidently::Launch", "AWS::Evidently::Experiment", "AWS::Evidently::Segment"],
      load: () => import("./evidently/cloudformation.js"),
    },
  },
];

let catalog: Catalog | undefined;
/** The registry joined with the models' routing facts (built once; the server hands it to its runtime). */
export const defaultCatalog = (): Catalog => (catalog ??= new Catalog(REGISTRY));
