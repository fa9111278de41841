// Model-driven validation worded as AWS words it, for query (ValidationError) and JSON (ValidationException) services.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IAMClient, CreateUserCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { useServer } from "../helpers/server.js";
import { validationErrors } from "../../src/core/validate.js";
import { loadModel } from "../../src/core/model.js";

const server = useServer();

type AwsError = Error & { $metadata?: { httpStatusCode?: number } };

test("query service: length, pattern and range violations answer ValidationError 400, all listed", async () => {
  const iam = server.client(IAMClient);
  const long = "x".repeat(65);
  await assert.rejects(iam.send(new CreateUserCommand({ UserName: long })), (e: AwsError) => {
    assert.equal(e.name, "ValidationError");
    assert.equal(e.$metadata?.httpStatusCode, 400);
    assert.equal(
      e.message,
      `1 validation error detected: Value '${long}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    return true;
  });
  await assert.rejects(iam.send(new CreateUserCommand({ UserName: "bad name!", Path: "nopath" })), (e: AwsError) => {
    assert.equal(e.name, "ValidationError");
    assert.match(e.message, /^2 validation errors detected: /);
    assert.match(e.message, /Value 'nopath' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: /);
    assert.match(e.message, /Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+/);
    return true;
  });
  await assert.rejects(iam.send(new ListUsersCommand({ MaxItems: 0 })), (e: AwsError) => {
    assert.equal(
      e.message,
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    return true;
  });
});

test("JSON service: the same wording as ValidationException", async () => {
  const ct = server.client(CloudTrailClient);
  await assert.rejects(ct.send(new LookupEventsCommand({ MaxResults: 51 })), (e: AwsError) => {
    assert.equal(e.name, "ValidationException");
    assert.equal(e.$metadata?.httpStatusCode, 400);
    assert.equal(
      e.message,
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
    return true;
  });
});

test("required members and enums, nested paths", () => {
  const iam = loadModel("iam");
  assert.deepEqual(validationErrors(iam, "CreateUserRequest", {}), ["Value null at 'userName' failed to satisfy constraint: Member must not be null"]);
  assert.deepEqual(validationErrors(iam, "UpdateAccessKeyRequest", { AccessKeyId: "AKIAIOSFODNN7EXAMPLE", Status: "Paused" }), [
    "Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
  ]);
  const errors = validationErrors(iam, "CreateUserRequest", { UserName: "ok", Tags: [{ Key: "", Value: "v" }] });
  // Each failed constraint is its own entry, as AWS lists them.
  assert.deepEqual(errors, [
    "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
  ]);
});
