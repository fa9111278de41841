// The account password policy through the real SDK v3 client: defaults, custom values, the model's range errors,
// NoSuchEntity as AWS words it, and enforcement on console passwords (CreateLoginProfile, UpdateLoginProfile,
// ChangePassword). Recorded AWS answers: LocalStack's tests/aws/services/iam/test_iam_account_password_policy.snapshot.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  DeleteAccountPasswordPolicyCommand,
  CreateUserCommand,
  CreateLoginProfileCommand,
  UpdateLoginProfileCommand,
  CreateAccessKeyCommand,
  ChangePasswordCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

test("an update without parameters stores AWS's defaults; later updates replace the whole policy", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await rejects(
    iam.send(new GetAccountPasswordPolicyCommand({})),
    "NoSuchEntityException",
    404,
    `The Password Policy with domain name ${account} cannot be found.`,
  );
  const r = await iam.send(new UpdateAccountPasswordPolicyCommand({}));
  assert.equal(r.$metadata.httpStatusCode, 200);
  const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
  assert.deepEqual(PasswordPolicy, {
    AllowUsersToChangePassword: false,
    ExpirePasswords: false,
    MinimumPasswordLength: 6,
    RequireLowercaseCharacters: false,
    RequireNumbers: false,
    RequireSymbols: false,
    RequireUppercaseCharacters: false,
  });

  await iam.send(
    new UpdateAccountPasswordPolicyCommand({
      MinimumPasswordLength: 10,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      MaxPasswordAge: 60,
      PasswordReusePrevention: 3,
      HardExpiry: true,
    }),
  );
  const custom = await iam.send(new GetAccountPasswordPolicyCommand({}));
  assert.deepEqual(custom.PasswordPolicy, {
    AllowUsersToChangePassword: true,
    ExpirePasswords: true,
    HardExpiry: true,
    MaxPasswordAge: 60,
    MinimumPasswordLength: 10,
    PasswordReusePrevention: 3,
    RequireLowercaseCharacters: true,
    RequireNumbers: true,
    RequireSymbols: true,
    RequireUppercaseCharacters: true,
  });
  // Parameters left out revert to their defaults.
  await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8 }));
  const reverted = await iam.send(new GetAccountPasswordPolicyCommand({}));
  assert.equal(reverted.PasswordPolicy!.MinimumPasswordLength, 8);
  assert.equal(reverted.PasswordPolicy!.RequireSymbols, false);
  assert.equal(reverted.PasswordPolicy!.MaxPasswordAge, undefined);
  assert.equal(reverted.PasswordPolicy!.ExpirePasswords, false);
});

test("out-of-range values are one ValidationError listing each", async () => {
  const iam = server.client(IAMClient);
  // AWS's recorded message lists the three as "Value at '<member>' failed to satisfy constraint: Member must have value
  // less than or equal to <max>" (without the value, in another order); Stratus's generic model validation names the
  // value too.
  const err = await iam
    .send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 129, PasswordReusePrevention: 25, MaxPasswordAge: 1096 }))
    .catch((e) => e);
  assert.equal(err.name, "ValidationError");
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.match(err.message, /^3 validation errors detected: /);
  for (const [member, max] of [
    ["minimumPasswordLength", 128],
    ["passwordReusePrevention", 24],
    ["maxPasswordAge", 1095],
  ]) {
    assert.match(err.message, new RegExp(`at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`));
  }
});

test("DeleteAccountPasswordPolicy removes it, and a second delete is NoSuchEntity with AWS's other wording", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12 }));
  const r = await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  assert.equal(r.$metadata.httpStatusCode, 200);
  await rejects(
    iam.send(new GetAccountPasswordPolicyCommand({})),
    "NoSuchEntityException",
    404,
    `The Password Policy with domain name ${account} cannot be found.`,
  );
  await rejects(
    iam.send(new DeleteAccountPasswordPolicyCommand({})),
    "NoSuchEntityException",
    404,
    "The account policy with name PasswordPolicy cannot be found.",
  );
});

test("console passwords must meet the policy: CreateLoginProfile, UpdateLoginProfile and the user's own ChangePassword", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "carol" }));
  // Without a policy any password is taken.
  await iam.send(new CreateLoginProfileCommand({ UserName: "carol", Password: "short" }));
  await iam.send(
    new UpdateAccountPasswordPolicyCommand({
      MinimumPasswordLength: 10,
      RequireUppercaseCharacters: true,
      RequireNumbers: true,
      RequireSymbols: true,
      AllowUsersToChangePassword: true,
    }),
  );
  await rejects(
    iam.send(new UpdateLoginProfileCommand({ UserName: "carol", Password: "tooshort" })),
    "PasswordPolicyViolationException",
    400,
    "Password should have a minimum length of 10",
  );
  await rejects(
    iam.send(new UpdateLoginProfileCommand({ UserName: "carol", Password: "long-enough-1" })),
    "PasswordPolicyViolationException",
    400,
    /uppercase/,
  );
  await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: "carol", Password: "Long-enough-x" })), "PasswordPolicyViolationException", 400, /number/);
  await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: "carol", Password: "Longenough12" })), "PasswordPolicyViolationException", 400, /symbol/);
  await iam.send(new UpdateLoginProfileCommand({ UserName: "carol", Password: "Long-enough-1" }));

  await iam.send(new CreateUserCommand({ UserName: "dave" }));
  await rejects(iam.send(new CreateLoginProfileCommand({ UserName: "dave", Password: "weak" })), "PasswordPolicyViolationException", 400);

  // carol changes her own password with her own keys.
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }));
  const asCarol = server.client(IAMClient, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  await rejects(asCarol.send(new ChangePasswordCommand({ OldPassword: "Long-enough-1", NewPassword: "weak" })), "PasswordPolicyViolationException", 400);
  await rejects(asCarol.send(new ChangePasswordCommand({ OldPassword: "not-her-password", NewPassword: "Another-good-2" })), "InvalidUserTypeException", 400);
  await asCarol.send(new ChangePasswordCommand({ OldPassword: "Long-enough-1", NewPassword: "Another-good-2" }));
  // The old password no longer matches.
  await rejects(asCarol.send(new ChangePasswordCommand({ OldPassword: "Long-enough-1", NewPassword: "Third-good-33" })), "InvalidUserTypeException", 400);
  // Only an IAM user changes its own password.
  await rejects(iam.send(new ChangePasswordCommand({ OldPassword: "x", NewPassword: "Another-good-2" })), "InvalidUserTypeException", 400);
});
