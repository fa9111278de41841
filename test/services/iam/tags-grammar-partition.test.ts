// Issue 10 points 1 and 2 for IAM, through the real SDK v3 client: users' and roles' tag keys compare
// case-insensitively (duplicates refused, a differently-cased key replaces the tag, untag matches any case) while
// other resources keep case-sensitive keys; the policy grammar's version rule (managed policies must be 2012-10-17,
// inline and trust policies need not), invalid JSON, legacy parsing; resource ARNs of another partition; parameter ARNs of an
// unknown partition.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateUserCommand,
  TagUserCommand,
  UntagUserCommand,
  ListUserTagsCommand,
  CreateRoleCommand,
  TagRoleCommand,
  UntagRoleCommand,
  ListRoleTagsCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  TagPolicyCommand,
  ListPolicyTagsCommand,
  PutUserPolicyCommand,
  PutRolePolicyCommand,
  AttachUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { randomAccount } from "../../helpers/server.js";

const server = useServer();
const DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive.";
const trust = (version?: string) =>
  JSON.stringify({
    ...(version ? { Version: version } : {}),
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
const identity = (version?: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(version ? { Version: version } : {}), Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }] });

test("users and roles: tag keys are case-insensitive, case preserved", async () => {
  const iam = server.client(IAMClient);
  await rejects(
    iam.send(
      new CreateUserCommand({
        UserName: "u",
        Tags: [
          { Key: "Dept", Value: "a" },
          { Key: "dept", Value: "b" },
        ],
      }),
    ),
    "InvalidInputException",
    400,
    DUPLICATE,
  );
  await iam.send(
    new CreateUserCommand({
      UserName: "u",
      Tags: [
        { Key: "Department", Value: "finance" },
        { Key: "Team", Value: "x" },
      ],
    }),
  );
  await rejects(
    iam.send(
      new TagUserCommand({
        UserName: "u",
        Tags: [
          { Key: "A", Value: "1" },
          { Key: "a", Value: "2" },
        ],
      }),
    ),
    "InvalidInputException",
    400,
    DUPLICATE,
  );
  await iam.send(new TagUserCommand({ UserName: "u", Tags: [{ Key: "department", Value: "hr" }] }));
  assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: "u" }))).Tags, [
    { Key: "Team", Value: "x" },
    { Key: "department", Value: "hr" },
  ]);
  await iam.send(new UntagUserCommand({ UserName: "u", TagKeys: ["TEAM"] }));
  assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: "u" }))).Tags, [{ Key: "department", Value: "hr" }]);

  await rejects(
    iam.send(
      new CreateRoleCommand({
        RoleName: "r",
        AssumeRolePolicyDocument: trust("2012-10-17"),
        Tags: [
          { Key: "Env", Value: "a" },
          { Key: "ENV", Value: "b" },
        ],
      }),
    ),
    "InvalidInputException",
    400,
    DUPLICATE,
  );
  await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust("2012-10-17"), Tags: [{ Key: "Env", Value: "dev" }] }));
  await iam.send(new TagRoleCommand({ RoleName: "r", Tags: [{ Key: "ENV", Value: "prod" }] }));
  assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: "r" }))).Tags, [{ Key: "ENV", Value: "prod" }]);
  await iam.send(new UntagRoleCommand({ RoleName: "r", TagKeys: ["env"] }));
  assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: "r" }))).Tags, []);
});

test("customer managed policies keep case-sensitive tag keys", async () => {
  const iam = server.client(IAMClient);
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: identity("2012-10-17"), Tags: [{ Key: "Env", Value: "a" }] }));
  await iam.send(new TagPolicyCommand({ PolicyArn: Policy!.Arn, Tags: [{ Key: "env", Value: "b" }] }));
  assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy!.Arn }))).Tags, [
    { Key: "Env", Value: "a" },
    { Key: "env", Value: "b" },
  ]);
});

test("policy grammar: managed policies must be version 2012-10-17, inline and trust policies need not; invalid JSON; legacy parsing", async () => {
  const iam = server.client(IAMClient);
  const VERSION = "Policy document must be version 2012-10-17 or greater.";
  await rejects(iam.send(new CreatePolicyCommand({ PolicyName: "nov", PolicyDocument: identity() })), "MalformedPolicyDocumentException", 400, VERSION);
  await rejects(
    iam.send(new CreatePolicyCommand({ PolicyName: "old", PolicyDocument: identity("2008-10-17") })),
    "MalformedPolicyDocumentException",
    400,
    VERSION,
  );
  await rejects(
    iam.send(new CreatePolicyCommand({ PolicyName: "bad", PolicyDocument: "This is not a json document" })),
    "MalformedPolicyDocumentException",
    400,
    "Syntax errors in policy.",
  );
  await rejects(
    iam.send(new CreatePolicyCommand({ PolicyName: "legacy", PolicyDocument: identity("2012-10-17", { Effect: "allow" }) })),
    "MalformedPolicyDocumentException",
    400,
    "The policy failed legacy parsing",
  );
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "ok", PolicyDocument: identity("2012-10-17") }));
  await rejects(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn, PolicyDocument: identity() })),
    "MalformedPolicyDocumentException",
    400,
    VERSION,
  );

  // Inline policies may omit Version (it defaults to 2008-10-17).
  await iam.send(new CreateUserCommand({ UserName: "inline" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "inline", PolicyName: "p", PolicyDocument: identity("2008-10-17") }));
  await iam.send(new PutUserPolicyCommand({ UserName: "inline", PolicyName: "q", PolicyDocument: identity() }));

  // Trust policies: 2008-10-17 or no Version are fine; JSON that does not parse is "invalid Json" (AWS-recorded).
  await iam.send(new CreateRoleCommand({ RoleName: "old-trust", AssumeRolePolicyDocument: trust("2008-10-17") }));
  await iam.send(new CreateRoleCommand({ RoleName: "no-version-trust", AssumeRolePolicyDocument: trust() }));
  const trailingComma = '{"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Principal": "*", "Effect": "Allow",}]}';
  await rejects(
    iam.send(new CreateRoleCommand({ RoleName: "broken", AssumeRolePolicyDocument: trailingComma })),
    "MalformedPolicyDocumentException",
    400,
    "This policy contains invalid Json",
  );
});

test("partitions: a policy resource of another partition, a parameter ARN of an unknown partition", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateRoleCommand({ RoleName: "pr", AssumeRolePolicyDocument: trust("2012-10-17") }));
  await rejects(
    iam.send(new PutRolePolicyCommand({ RoleName: "pr", PolicyName: "p", PolicyDocument: identity("2012-10-17", { Resource: "arn:aws-cn:s3:::bucket/*" }) })),
    "MalformedPolicyDocumentException",
    400,
    'Partition "aws-cn" is not valid for resource "arn:aws-cn:s3:::bucket/*".',
  );
  await iam.send(new CreateUserCommand({ UserName: "pu" }));
  await rejects(
    iam.send(new AttachUserPolicyCommand({ UserName: "pu", PolicyArn: "arn:aws-foo:iam::aws:policy/ReadOnlyAccess" })),
    "ValidationError",
    400,
    "Invalid ARN partition: aws-foo",
  );
  // A real partition that is not the caller's: the policy is not found there.
  await rejects(
    iam.send(new AttachUserPolicyCommand({ UserName: "pu", PolicyArn: "arn:aws-cn:iam::aws:policy/ReadOnlyAccess" })),
    "NoSuchEntityException",
    404,
  );
});

const clis = awsClis();
if (!clis.length) test("aws CLI: tag-user case-insensitive keys", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: tag-user with keys differing only in case is refused`, async () => {
    const env = { AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "x" };
    const ok = await runAws(cli, server.url, ["iam", "create-user", "--user-name", "cli-u"], env);
    assert.equal(ok.status, 0, ok.stderr);
    const r = await runAws(cli, server.url, ["iam", "tag-user", "--user-name", "cli-u", "--tags", "Key=Env,Value=a", "Key=env,Value=b"], env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /InvalidInput/);
    assert.match(r.stderr, /Tag keys are case insensitive/);
  });
