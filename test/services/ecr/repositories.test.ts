// ECR repositories through boto3 (there is no @aws-sdk/client-ecr among the dependencies) and the JSON protocol on the
// wire: create, describe (paged, by name), delete, settings, policies, lifecycle policies, tags, AWS's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { ecrCall } from "./helpers.js";

const server = useServer();
const boto3Missing = pythonMissing();

/** Runs a boto3 script with `ecr` (a client for a fresh account), `account`, `ClientError` and `out` (printed as JSON). */
// biome-ignore lint/suspicious/noExplicitAny: the script's JSON output, read field by field by the assertions
async function boto3(body: string, account = randomAccount()): Promise<Record<string, any>> {
  const script = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
ecr = boto3.client("ecr", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
def err(f):
    try:
        f()
        return None
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
def pad(text):
    return text + " " * 100  # the model's minimum length of a lifecycle policy text
${body}
print(json.dumps(out, default=str))
`;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  return JSON.parse((await run("python3", ["-c", script, server.url, account], { env, timeout: 60_000 })).stdout);
}

const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: "expire untagged",
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 365 },
      action: { type: "expire" },
    },
  ],
});
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "pull", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }],
});

test("boto3: create and describe a repository (URI, ARN, defaults), by name and paged; duplicates and missing names", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const out = await boto3(
    `
r = ecr.create_repository(repositoryName="team/app", tags=[{"Key": "env", "Value": "dev"}])["repository"]
out["created"] = r
out["dup"] = err(lambda: ecr.create_repository(repositoryName="team/app"))
for n in ["bb", "cc", "dd", "ee"]:
    ecr.create_repository(repositoryName=n, imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True})
out["byName"] = [x["repositoryName"] for x in ecr.describe_repositories(repositoryNames=["cc", "team/app"])["repositories"]]
out["c"] = ecr.describe_repositories(repositoryNames=["cc"])["repositories"][0]
pages = ecr.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 2})
out["pages"] = [[x["repositoryName"] for x in p["repositories"]] for p in pages]
out["missing"] = err(lambda: ecr.describe_repositories(repositoryNames=["cc", "nope"]))
out["badToken"] = err(lambda: ecr.describe_repositories(nextToken="garbage"))
out["badName"] = err(lambda: ecr.create_repository(repositoryName="Upper"))
out["registry"] = ecr.describe_registry()
d = ecr.delete_repository(repositoryName="bb")["repository"]
out["deleted"] = d["repositoryName"]
out["afterDelete"] = [x["repositoryName"] for x in ecr.describe_repositories()["repositories"]]
out["deleteMissing"] = err(lambda: ecr.delete_repository(repositoryName="bb", force=True))
`,
    account,
  );
  const r = out.created;
  assert.equal(r.repositoryName, "team/app");
  assert.equal(r.registryId, account);
  assert.equal(r.repositoryArn, `arn:aws:ecr:us-east-1:${account}:repository/team/app`);
  assert.equal(r.repositoryUri, `${account}.dkr.ecr.us-east-1.amazonaws.com/team/app`);
  assert.equal(r.imageTagMutability, "MUTABLE");
  assert.deepEqual(r.imageScanningConfiguration, { scanOnPush: false });
  assert.deepEqual(r.encryptionConfiguration, { encryptionType: "AES256" });
  assert.match(String(r.createdAt), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  assert.deepEqual(out.dup, [
    "RepositoryAlreadyExistsException",
    400,
    `The repository with name 'team/app' already exists in the registry with id '${account}'`,
  ]);
  assert.deepEqual(out.byName, ["cc", "team/app"]);
  assert.equal(out.c.imageTagMutability, "IMMUTABLE");
  assert.deepEqual(out.c.imageScanningConfiguration, { scanOnPush: true });
  assert.deepEqual(out.pages, [["bb", "cc"], ["dd", "ee"], ["team/app"]]);
  assert.deepEqual(out.missing, ["RepositoryNotFoundException", 400, `The repository with name 'nope' does not exist in the registry with id '${account}'`]);
  assert.equal(out.badToken[0], "InvalidParameterException");
  assert.deepEqual(out.badName, [
    "InvalidParameterException",
    400,
    "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''",
  ]);
  assert.equal(out.registry.registryId, account);
  assert.deepEqual(out.registry.replicationConfiguration, { rules: [] });
  assert.equal(out.deleted, "bb");
  assert.deepEqual(out.afterDelete, ["cc", "dd", "ee", "team/app"]);
  assert.equal(out.deleteMissing[0], "RepositoryNotFoundException");
});

test("boto3: repository and lifecycle policies, scanning and mutability settings, tags", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const out = await boto3(
    `
arn = ecr.create_repository(repositoryName="pol")["repository"]["repositoryArn"]
out["noPolicy"] = err(lambda: ecr.get_repository_policy(repositoryName="pol"))
out["set"] = ecr.set_repository_policy(repositoryName="pol", policyText=sys.argv[3])["policyText"]
out["get"] = ecr.get_repository_policy(repositoryName="pol")["policyText"]
out["badPolicy"] = err(lambda: ecr.set_repository_policy(repositoryName="pol", policyText='{"Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}'))
out["notJson"] = err(lambda: ecr.set_repository_policy(repositoryName="pol", policyText="{"))
out["delPolicy"] = ecr.delete_repository_policy(repositoryName="pol")["policyText"]
out["delPolicyAgain"] = err(lambda: ecr.delete_repository_policy(repositoryName="pol"))
out["noLifecycle"] = err(lambda: ecr.get_lifecycle_policy(repositoryName="pol"))
out["putLifecycle"] = ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText=sys.argv[4])["lifecyclePolicyText"]
out["getLifecycle"] = ecr.get_lifecycle_policy(repositoryName="pol")["lifecyclePolicyText"]
out["noRules"] = err(lambda: ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText=pad('{"x": 1}')))
out["notMapped"] = err(lambda: ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText=pad('[1')))
out["missingProps"] = err(lambda: ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText=pad('{"rules": [{"rulePriority": 1}]}')))
out["badAction"] = err(lambda: ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText='{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "keep"}}]}'))
out["zero"] = err(lambda: ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText='{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 0}, "action": {"type": "expire"}}]}'))
out["delLifecycle"] = ecr.delete_lifecycle_policy(repositoryName="pol")["lifecyclePolicyText"]
out["delLifecycleAgain"] = err(lambda: ecr.delete_lifecycle_policy(repositoryName="pol"))
out["scan"] = ecr.put_image_scanning_configuration(repositoryName="pol", imageScanningConfiguration={"scanOnPush": True})["imageScanningConfiguration"]
out["mut"] = ecr.put_image_tag_mutability(repositoryName="pol", imageTagMutability="IMMUTABLE")["imageTagMutability"]
out["badMut"] = err(lambda: ecr.put_image_tag_mutability(repositoryName="pol", imageTagMutability="FROZEN"))
r = ecr.describe_repositories(repositoryNames=["pol"])["repositories"][0]
out["settings"] = [r["imageScanningConfiguration"], r["imageTagMutability"]]
ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "3"}])
ecr.untag_resource(resourceArn=arn, tagKeys=["b"])
out["tags"] = ecr.list_tags_for_resource(resourceArn=arn)["tags"]
out["tagMissing"] = err(lambda: ecr.list_tags_for_resource(resourceArn=arn.replace("/pol", "/gone")))
out["policyMissingRepo"] = err(lambda: ecr.get_repository_policy(repositoryName="gone"))
out["notImplemented"] = err(lambda: ecr.batch_get_image(repositoryName="pol", imageIds=[{"imageTag": "latest"}]))
`
      .replace("sys.argv[3]", JSON.stringify(POLICY))
      .replace("sys.argv[4]", JSON.stringify(LIFECYCLE)),
    account,
  );
  assert.deepEqual(out.noPolicy, [
    "RepositoryPolicyNotFoundException",
    400,
    `Repository policy does not exist for the repository with name 'pol' in the registry with id '${account}'`,
  ]);
  assert.equal(out.set, POLICY);
  assert.equal(out.get, POLICY);
  const invalidPolicy = [
    "InvalidParameterException",
    400,
    "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
  ];
  assert.deepEqual(out.badPolicy, invalidPolicy); // no Principal
  assert.deepEqual(out.notJson, invalidPolicy);
  assert.equal(out.delPolicy, POLICY);
  assert.equal(out.delPolicyAgain[0], "RepositoryPolicyNotFoundException");
  assert.deepEqual(out.noLifecycle, [
    "LifecyclePolicyNotFoundException",
    400,
    `Lifecycle policy does not exist for the repository with name 'pol' in the registry with id '${account}'`,
  ]);
  assert.equal(out.putLifecycle, LIFECYCLE);
  assert.equal(out.getLifecycle, LIFECYCLE);
  const prefix = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";
  assert.deepEqual(out.noRules, ["InvalidParameterException", 400, `${prefix}object has missing required properties (["rules"])'`]);
  assert.deepEqual(out.notMapped, ["InvalidParameterException", 400, `${prefix}Could not map policyString into LifecyclePolicy.'`]);
  assert.deepEqual(out.missingProps, ["InvalidParameterException", 400, `${prefix}object has missing required properties (["action","selection"])'`]);
  assert.match(out.badAction[2], /instance value \(keep\) not found in enum/);
  assert.match(out.zero[2], /numeric instance is lower than the required minimum \(minimum: 1, found: 0\)/);
  assert.equal(out.delLifecycle, LIFECYCLE);
  assert.equal(out.delLifecycleAgain[0], "LifecyclePolicyNotFoundException");
  assert.deepEqual(out.scan, { scanOnPush: true });
  assert.equal(out.mut, "IMMUTABLE");
  // A value outside the model's enum: the model's constraint, as the generic validation words it.
  assert.equal(out.badMut[0], "ValidationException");
  assert.match(out.badMut[2], /Value 'FROZEN' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set/);
  assert.deepEqual(out.settings, [{ scanOnPush: true }, "IMMUTABLE"]);
  assert.deepEqual(out.tags, [{ Key: "a", Value: "3" }]);
  assert.equal(out.tagMissing[0], "RepositoryNotFoundException");
  assert.equal(out.policyMissingRepo[0], "RepositoryNotFoundException");
  // The registry's image operations are not there yet: the core's NotImplemented, not a stub.
  assert.equal(out.notImplemented[0], "NotImplemented");
  assert.equal(out.notImplemented[1], 501);
});

test("the JSON protocol on the wire: AmazonEC2ContainerRegistry_V20150921 targets, __type of an error", async () => {
  const account = randomAccount();
  const call = (op: string, body: unknown) =>
    server.signedFetch("/", {
      service: "ecr",
      account,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonEC2ContainerRegistry_V20150921.${op}` },
      body: JSON.stringify(body),
    });
  const created = await call("CreateRepository", { repositoryName: "wire", encryptionConfiguration: { encryptionType: "KMS" } });
  assert.equal(created.status, 200);
  const repo = (await created.json()).repository;
  assert.equal(typeof repo.createdAt, "number"); // epoch seconds, as the JSON protocol sends timestamps
  assert.equal(repo.encryptionConfiguration.encryptionType, "KMS");
  // No key named: the AWS managed key alias/aws/ecr, as its ARN.
  assert.match(repo.encryptionConfiguration.kmsKey, new RegExp(`^arn:aws:kms:us-east-1:${account}:key/[0-9a-f-]{36}$`));
  const missing = await call("DescribeRepositories", { repositoryNames: ["none"] });
  assert.equal(missing.status, 400);
  const body = await missing.json();
  assert.equal(body.__type, "RepositoryNotFoundException");
  assert.equal(body.message, `The repository with name 'none' does not exist in the registry with id '${account}'`);
  const badKey = await call("CreateRepository", { repositoryName: "wire2", encryptionConfiguration: { encryptionType: "KMS", kmsKey: "alias/none" } });
  assert.equal(badKey.status, 400);
  assert.equal((await badKey.json()).__type, "KmsException");
});

test("an explicit Deny in a repository policy refuses the call with AccessDeniedException; other actions go on", async () => {
  const account = randomAccount();
  const ecr = (op: string, body: unknown) => ecrCall(server, account, op, body);
  await ecr("CreateRepository", { repositoryName: "guarded" });
  const policy = {
    Version: "2012-10-17",
    Statement: [{ Sid: "noLifecycleReads", Effect: "Deny", Principal: { AWS: "*" }, Action: "ecr:GetLifecyclePolicy" }],
  };
  assert.equal((await ecr("SetRepositoryPolicy", { repositoryName: "guarded", policyText: JSON.stringify(policy) })).status, 200);
  const denied = await ecr("GetLifecyclePolicy", { repositoryName: "guarded" });
  assert.equal(denied.status, 400);
  assert.equal(denied.body.__type, "AccessDeniedException");
  assert.equal(
    denied.body.message,
    `User: arn:aws:iam::${account}:root is not authorized to perform: ecr:GetLifecyclePolicy on resource: arn:aws:ecr:us-east-1:${account}:repository/guarded with an explicit deny in a resource-based policy`,
  );
  assert.equal((await ecr("GetRepositoryPolicy", { repositoryName: "guarded" })).status, 200);
});

test("boto3: a repository holds no images yet (no registry): ListImages and DescribeImages list none, an image asked for is ImageNotFoundException", {
  skip: boto3Missing,
}, async () => {
  const account = randomAccount();
  const out = await boto3(
    `
ecr.create_repository(repositoryName="app")
out["list"] = ecr.list_images(repositoryName="app")["imageIds"]
out["describe"] = ecr.describe_images(repositoryName="app")["imageDetails"]
out["byTag"] = err(lambda: ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "latest"}]))
out["byDigest"] = err(lambda: ecr.describe_images(repositoryName="app", imageIds=[{"imageDigest": "sha256:${"0".repeat(64)}"}]))
out["noRepo"] = err(lambda: ecr.list_images(repositoryName="nope"))
out["noRepoDescribe"] = err(lambda: ecr.describe_images(repositoryName="nope", imageIds=[{"imageTag": "x"}]))
`,
    account,
  );
  assert.deepEqual(out.list, []);
  assert.deepEqual(out.describe, []);
  assert.deepEqual(out.byTag, [
    "ImageNotFoundException",
    400,
    `The image with imageId {imageDigest:'null', imageTag:'latest'} does not exist within the repository with name 'app' in the registry with id '${account}'`,
  ]);
  assert.deepEqual(out.byDigest, [
    "ImageNotFoundException",
    400,
    `The image with imageId {imageDigest:'sha256:${"0".repeat(64)}', imageTag:'null'} does not exist within the repository with name 'app' in the registry with id '${account}'`,
  ]);
  assert.deepEqual(out.noRepo, ["RepositoryNotFoundException", 400, `The repository with name 'nope' does not exist in the registry with id '${account}'`]);
  assert.equal(out.noRepoDescribe[0], "RepositoryNotFoundException");
});
