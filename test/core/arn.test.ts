// core/arn: building and parsing ARNs once for every service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatArn, globalArn, parseArn, parseResourceArn, regionalArn } from "../../src/core/arn.js";

test("ARNs are built from their parts, regional or global", () => {
  const ctx = { account: "111111111111", region: "eu-west-1" };
  assert.equal(regionalArn(ctx, "sqs", "q"), "arn:aws:sqs:eu-west-1:111111111111:q");
  assert.equal(regionalArn(ctx, "lambda", "function:f:prod"), "arn:aws:lambda:eu-west-1:111111111111:function:f:prod");
  assert.equal(globalArn("111111111111", "iam", "role/path/r"), "arn:aws:iam::111111111111:role/path/r");
  assert.equal(formatArn({ partition: "aws-cn", service: "s3", region: "", account: "", resource: "bucket/key" }), "arn:aws-cn:s3:::bucket/key");
});

test("parsing keeps the resource's own colons and refuses what is not an ARN", () => {
  assert.deepEqual(parseArn("arn:aws:lambda:us-east-1:111111111111:function:f:1"), {
    partition: "aws",
    service: "lambda",
    region: "us-east-1",
    account: "111111111111",
    resource: "function:f:1",
  });
  for (const bad of ["", "my-role", "arn:aws:iam", "arn::iam::1:role/r", "nra:aws:iam::1:role/r", "arn:aws::::x"]) assert.equal(parseArn(bad), undefined, bad);
});

test("resource ARNs: the service, the type and its separator must be right", () => {
  const fn = parseResourceArn("arn:aws:lambda:us-east-1:111111111111:function:f:prod", "lambda", "function");
  assert.equal(fn?.id, "f:prod");
  assert.equal(fn?.type, "function");
  assert.equal(parseResourceArn("arn:aws:iam::111111111111:role/ops/r", "iam", "role", "/")?.id, "ops/r");
  assert.equal(parseResourceArn("arn:aws:iam::111111111111:role/ops/r", "iam", "user", "/"), undefined);
  assert.equal(parseResourceArn("arn:aws:iam::111111111111:role/", "iam", "role", "/"), undefined);
  assert.equal(parseResourceArn("arn:aws:sqs:us-east-1:111111111111:q", "sns"), undefined);
  assert.equal(parseResourceArn("arn:aws:sqs:us-east-1:111111111111:q", "sqs")?.id, "q");
});
