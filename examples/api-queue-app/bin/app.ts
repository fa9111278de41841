// The CDK app: `cdk synth` / `cdk deploy` run this (see cdk.json).
import { App } from "aws-cdk-lib";
import { ApiQueueStack } from "../lib/api-queue-stack.js";

const app = new App();
new ApiQueueStack(app, process.env.STACK_NAME ?? "ApiQueueApp", {
  greeting: app.node.tryGetContext("greeting"),
});
app.synth();
