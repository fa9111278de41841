// The study notes' architecture as one stack: the L3 "API Gateway + Lambda" pattern (LambdaRestApi) in front of a
// function that writes to SQS and publishes to SNS (an audit queue subscribed); a second function fed by the queue (an event source mapping);
// log groups with retention; SSM parameters and a Secrets Manager secret read at runtime; a customer-managed KMS key
// for the queues, the topic and the secret; and a custom resource (AwsCustomResource) that writes a parameter the API
// reads. The handlers are plain JavaScript files (lambda/), zipped by the CDK CLI: no bundler, no Docker.
import { fileURLToPath } from "node:url";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import type { Construct } from "constructs";

const handlerDir = (name: string) => fileURLToPath(new URL(`../lambda/${name}`, import.meta.url));

export interface ApiQueueStackProps extends StackProps {
  /** Prefix of the SSM parameter names (default /api-queue-app). */
  readonly parameterPrefix?: string;
  /** The greeting the custom resource writes to SSM, which the API answers with. */
  readonly greeting?: string;
}

export class ApiQueueStack extends Stack {
  constructor(scope: Construct, id: string, props: ApiQueueStackProps = {}) {
    super(scope, id, props);
    const prefix = props.parameterPrefix ?? "/api-queue-app";

    // One customer-managed key encrypts the queue, the topic and the secret (rotation on, as AWS recommends).
    const key = new kms.Key(this, "DataKey", {
      description: "api-queue-app: encrypts the orders queue, the events topic and the API secret",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    new kms.Alias(this, "DataKeyAlias", { aliasName: "alias/api-queue-app", targetKey: key });

    const deadLetters = new sqs.Queue(this, "OrdersDlq", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, "OrdersQueue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 3 },
    });
    const topic = new sns.Topic(this, "OrderEvents", { masterKey: key });
    // The topic's subscriber: an audit queue receiving each event as published (raw message delivery).
    const audit = new sqs.Queue(this, "AuditQueue", { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, retentionPeriod: Duration.days(14) });
    topic.addSubscription(new SqsSubscription(audit, { rawMessageDelivery: true }));

    // Configuration in SSM (a plain parameter made here; the greeting is written by the custom resource below) and
    // an API key in Secrets Manager, generated at deploy time and encrypted with the customer key.
    const configParam = new ssm.StringParameter(this, "ConfigParameter", {
      parameterName: `${prefix}/config`,
      stringValue: JSON.stringify({ maxItems: 10, currency: "EUR" }),
      description: "api-queue-app: order limits read by the API function at runtime",
    });
    const secret = new secretsmanager.Secret(this, "ApiSecret", {
      description: "api-queue-app: signing key read by the API function at runtime",
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: JSON.stringify({ keyId: "orders" }), generateStringKey: "signingKey", excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const greetingName = `${prefix}/greeting`;
    const greetingArn = this.formatArn({ service: "ssm", resource: "parameter", resourceName: greetingName.slice(1) });
    const greeting = new AwsCustomResource(this, "GreetingParameter", {
      onCreate: {
        service: "SSM",
        action: "PutParameter",
        parameters: { Name: greetingName, Value: props.greeting ?? "hello from api-queue-app", Type: "String", Overwrite: true },
        physicalResourceId: PhysicalResourceId.of(greetingName),
      },
      onUpdate: {
        service: "SSM",
        action: "PutParameter",
        parameters: { Name: greetingName, Value: props.greeting ?? "hello from api-queue-app", Type: "String", Overwrite: true },
        physicalResourceId: PhysicalResourceId.of(greetingName),
      },
      onDelete: { service: "SSM", action: "DeleteParameter", parameters: { Name: greetingName } },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [greetingArn] }),
      installLatestAwsSdk: false,
    });

    const apiLogs = new logs.LogGroup(this, "ApiFunctionLogs", { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
    const apiFunction = new lambda.Function(this, "ApiFunction", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromAsset(handlerDir("api")),
      timeout: Duration.seconds(10),
      memorySize: 256,
      logGroup: apiLogs,
      environment: {
        QUEUE_URL: queue.queueUrl,
        TOPIC_ARN: topic.topicArn,
        CONFIG_PARAMETER: configParam.parameterName,
        GREETING_PARAMETER: greetingName,
        SECRET_ARN: secret.secretArn,
      },
    });
    queue.grantSendMessages(apiFunction);
    topic.grantPublish(apiFunction);
    configParam.grantRead(apiFunction);
    secret.grantRead(apiFunction);
    apiFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: [greetingArn],
      }),
    );
    apiFunction.node.addDependency(greeting);

    const workerLogs = new logs.LogGroup(this, "WorkerFunctionLogs", { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
    const worker = new lambda.Function(this, "WorkerFunction", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromAsset(handlerDir("worker")),
      timeout: Duration.seconds(30),
      logGroup: workerLogs,
    });
    worker.addEventSource(new SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true }));

    const api = new apigateway.LambdaRestApi(this, "OrdersApi", {
      handler: apiFunction,
      description: "api-queue-app: orders API",
      deployOptions: { stageName: "prod" },
    });

    new CfnOutput(this, "ApiUrl", { value: api.url });
    new CfnOutput(this, "RestApiId", { value: api.restApiId });
    new CfnOutput(this, "QueueUrl", { value: queue.queueUrl });
    new CfnOutput(this, "TopicArn", { value: topic.topicArn });
    new CfnOutput(this, "AuditQueueUrl", { value: audit.queueUrl });
    new CfnOutput(this, "WorkerLogGroup", { value: workerLogs.logGroupName });
    new CfnOutput(this, "ApiLogGroup", { value: apiLogs.logGroupName });
  }
}
