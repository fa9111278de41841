// ECR from the AWS CLIs (v1 and v2, where installed): create, describe, policies, lifecycle policy, tags, errors, delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const LIFECYCLE = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } }],
});
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "all", Effect: "Allow", Principal: { AWS: "*" }, Action: "ecr:BatchGetImage" }],
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: ecr repositories", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`${cli.label}: create-repository, describe, policies, lifecycle policy, tags, a missing repository, delete`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (...args: string[]) => {
      const r = await runAws(cli, server.url, ["ecr", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const { repository } = await aws(
      "create-repository",
      "--repository-name",
      "cli/repo",
      "--image-tag-mutability",
      "IMMUTABLE",
      "--image-scanning-configuration",
      "scanOnPush=true",
      "--tags",
      "Key=a,Value=1",
    );
    assert.equal(repository.repositoryUri, `${account}.dkr.ecr.us-east-1.amazonaws.com/cli/repo`);
    assert.equal(repository.imageTagMutability, "IMMUTABLE");
    const described = await aws("describe-repositories");
    assert.deepEqual(
      described.repositories.map((r: { repositoryName: string }) => r.repositoryName),
      ["cli/repo"],
    );
    assert.equal((await aws("set-repository-policy", "--repository-name", "cli/repo", "--policy-text", POLICY)).policyText, POLICY);
    assert.equal((await aws("get-repository-policy", "--repository-name", "cli/repo")).policyText, POLICY);
    assert.equal((await aws("put-lifecycle-policy", "--repository-name", "cli/repo", "--lifecycle-policy-text", LIFECYCLE)).lifecyclePolicyText, LIFECYCLE);
    assert.equal((await aws("get-lifecycle-policy", "--repository-name", "cli/repo")).lifecyclePolicyText, LIFECYCLE);
    await aws("tag-resource", "--resource-arn", repository.repositoryArn, "--tags", "Key=b,Value=2");
    assert.deepEqual((await aws("list-tags-for-resource", "--resource-arn", repository.repositoryArn)).tags, [
      { Key: "a", Value: "1" },
      { Key: "b", Value: "2" },
    ]);

    const missing = await runAws(cli, server.url, ["ecr", "describe-repositories", "--repository-names", "nope"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(
      missing.stderr,
      new RegExp(
        `An error occurred \\(RepositoryNotFoundException\\) when calling the DescribeRepositories operation: The repository with name 'nope' does not exist in the registry with id '${account}'`,
      ),
    );

    assert.equal((await aws("delete-repository", "--repository-name", "cli/repo", "--force")).repository.repositoryName, "cli/repo");
    assert.deepEqual((await aws("describe-repositories")).repositories, []);
  });
}
