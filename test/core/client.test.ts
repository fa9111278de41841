// The typed in-process client: ctx.client("sqs").getQueueUrl({ QueueName }) goes through SQS's validation and
// handler as an SDK call does (the same dispatch as the gateway's), is recorded invokedBy the caller, and is
// typed end to end from the generated APIs (`npm run typecheck` compiles the @ts-expect-error lines below).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isServiceError } from "../../src/core/errors.js";
import type { HandlerContext } from "../../src/core/context.js";
import { randomAccount, useServer } from "../helpers/server.js";

const server = useServer();

function lambdaContext(account: string): HandlerContext {
  return server.runtime.context("lambda", "Invoke", server.runtime.rootIdentity(account));
}

test("a typed client calls another service's handlers in-process", async () => {
  const ctx = lambdaContext(randomAccount());
  const sqs = ctx.client("sqs");
  const created = await sqs.createQueue({ QueueName: "typed-client", Attributes: { VisibilityTimeout: "45" } });
  assert.match(created.QueueUrl ?? "", /\/typed-client$/);
  const { QueueUrl } = await sqs.getQueueUrl({ QueueName: "typed-client" });
  assert.equal(QueueUrl, created.QueueUrl);
  const attrs = await sqs.getQueueAttributes({ QueueUrl: QueueUrl!, AttributeNames: ["VisibilityTimeout"] });
  assert.equal(attrs.Attributes?.VisibilityTimeout, "45");
  // Another account, as CallOptions say.
  const other = randomAccount();
  await ctx.client("ssm").putParameter({ Name: "/typed/p", Value: "v", Type: "String" }, { account: other });
  const got = await lambdaContext(other).client("ssm").getParameter({ Name: "/typed/p" });
  assert.equal(got.Parameter?.Value, "v");
});

test("the client validates as the service does and throws its errors", async () => {
  const sqs = lambdaContext(randomAccount()).client("sqs");
  await assert.rejects(sqs.getQueueUrl({ QueueName: "missing" }), (e) => isServiceError(e) && e.code === "AWS.SimpleQueueService.NonExistentQueue");
  // S3's own wording for input the model refuses (no ValidationException in S3), in-process as over HTTP.
  const s3 = lambdaContext(randomAccount()).client("s3");
  await assert.rejects(s3.putObject({ Bucket: "b" } as never), (e) => isServiceError(e) && e.code === "MalformedXML" && e.status === 400);
  // The generic validation for the others, in the service's protocol's code.
  await assert.rejects(sqs.getQueueUrl({} as never), (e) => isServiceError(e) && e.code === "ValidationException" && /queueName/.test(e.message));
});

// Compile-time only: these lines must fail to type-check (npm run typecheck), and are never run.
export function typeErrors(ctx: HandlerContext): void {
  // @ts-expect-error a misspelt member
  void ctx.client("sqs").getQueueUrl({ QueueNam: "q" });
  // @ts-expect-error an operation SQS does not have
  void ctx.client("sqs").getQueue({ QueueName: "q" });
  // @ts-expect-error a service that is not in the catalog
  void ctx.client("sqs-typo");
  const sqs = ctx.client("sqs");
  // @ts-expect-error the output is typed too: GetQueueUrl has no QueueArn
  void sqs.getQueueUrl({ QueueName: "q" }).then((o) => o.QueueArn);
}
