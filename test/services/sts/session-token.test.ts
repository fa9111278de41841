// sts:GetSessionToken and GetFederationToken through the real SDK: durations, MFA end to end, session
// credentials on later calls, expiry, and the refusal to chain from session credentials.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand, GetFederationTokenCommand } from "@aws-sdk/client-sts";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { createUserWithKey, enableVirtualMfa, keysOf, stsWith, wrongCode } from "./setup.js";
import { rejects } from "../../helpers/errors.js";

const clock = new ManualClock(Date.UTC(2024, 4, 1, 12, 0, 0));
const server = useServer({ clock });

const rootSts = (account = randomAccount()) => server.client(STSClient, { account });

test("root GetSessionToken: ASIA key, 40-char secret, token, expiry clamped to one hour", async () => {
  const account = randomAccount();
  const { Credentials } = await rootSts(account).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
  assert.match(Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(Credentials!.SecretAccessKey!.length, 40);
  assert.ok(Credentials!.SessionToken!.length > 200);
  assert.equal(Credentials!.Expiration!.getTime(), Math.floor(clock.now() / 1000) * 1000 + 3600_000);

  const id = await stsWith(server, keysOf(Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, `arn:aws:iam::${account}:root`);
  assert.equal(id.Account, account);
  assert.equal(id.UserId, account);
});

test("DurationSeconds outside 900…129600 is a ValidationError", async () => {
  await rejects(
    rootSts().send(new GetSessionTokenCommand({ DurationSeconds: 899 })),
    "ValidationError",
    400,
    /Member must have value greater than or equal to 900/,
  );
  await rejects(rootSts().send(new GetSessionTokenCommand({ DurationSeconds: 129601 })), "ValidationError", 400, /less than or equal to 129600/);
});

test("IAM user GetSessionToken defaults to 12 hours and acts as the user", async () => {
  const account = randomAccount();
  const { user, keys } = await createUserWithKey(server, account, "dana");
  const { Credentials } = await stsWith(server, keys).send(new GetSessionTokenCommand({}));
  assert.equal(Credentials!.Expiration!.getTime(), Math.floor(clock.now() / 1000) * 1000 + 43200_000);
  const id = await stsWith(server, keysOf(Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, user.Arn);
  assert.equal(id.UserId, user.UserId);
  assert.match(id.UserId!, /^AIDA/);

  const long = await stsWith(server, keys).send(new GetSessionTokenCommand({ DurationSeconds: 129600 }));
  assert.equal(long.Credentials!.Expiration!.getTime(), Math.floor(clock.now() / 1000) * 1000 + 129600_000);
});

test("GetSessionToken with session credentials is AccessDenied", async () => {
  const { Credentials } = await rootSts().send(new GetSessionTokenCommand({}));
  await rejects(
    stsWith(server, keysOf(Credentials)).send(new GetSessionTokenCommand({})),
    "AccessDenied",
    403,
    "Cannot call GetSessionToken with session credentials",
  );
  await rejects(
    stsWith(server, keysOf(Credentials)).send(new GetFederationTokenCommand({ Name: "bob" })),
    "AccessDenied",
    403,
    "Cannot call GetFederationToken with session credentials",
  );
});

test("session credentials expire: ExpiredToken after Expiration, and the token must be sent", async () => {
  const { Credentials } = await rootSts().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
  const keys = keysOf(Credentials);
  await stsWith(server, keys).send(new GetCallerIdentityCommand({}));
  await assert.rejects(
    stsWith(server, { ...keys, sessionToken: undefined }).send(new GetCallerIdentityCommand({})),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.$metadata?.httpStatusCode, 403);
      return true;
    },
  );
  clock.advance(901_000);
  await rejects(stsWith(server, keys).send(new GetCallerIdentityCommand({})), "ExpiredToken", 403);
});

test("MFA end to end: enable a virtual device, GetSessionToken with a good code, refuse wrong and reused codes", async () => {
  const account = randomAccount();
  const { user, keys } = await createUserWithKey(server, account, "mfa-user");
  const { serialNumber, code } = await enableVirtualMfa(server, account, "mfa-user", clock.now());
  clock.advance(30_000);
  const sts = stsWith(server, keys);

  await rejects(
    sts.send(new GetSessionTokenCommand({ SerialNumber: serialNumber, TokenCode: wrongCode(code, clock.now()) })),
    "AccessDenied",
    403,
    "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
  );

  const good = code(clock.now());
  const { Credentials } = await sts.send(new GetSessionTokenCommand({ SerialNumber: serialNumber, TokenCode: good, DurationSeconds: 3600 }));
  const id = await stsWith(server, keysOf(Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, user.Arn);

  // Each code is accepted once.
  await rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: serialNumber, TokenCode: good })), "AccessDenied", 403, /invalid MFA one time pass code/);

  // A serial number that is not this user's device.
  await rejects(
    sts.send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${account}:mfa/nobody`, TokenCode: "123456" })),
    "AccessDenied",
    403,
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
  );

  // One step of drift either side is accepted.
  clock.advance(30_000);
  await sts.send(new GetSessionTokenCommand({ SerialNumber: serialNumber, TokenCode: code(clock.now() + 30_000) }));
});

test("the model checks the TokenCode format", async () => {
  await rejects(
    rootSts().send(new GetSessionTokenCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/x", TokenCode: "12345" })),
    "ValidationError",
    400,
    /tokenCode/,
  );
});

test("GetFederationToken: federated user identity, PackedPolicySize with a policy", async () => {
  const account = randomAccount();
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
  const out = await rootSts(account).send(new GetFederationTokenCommand({ Name: "carol", Policy: policy }));
  assert.equal(out.FederatedUser!.Arn, `arn:aws:sts::${account}:federated-user/carol`);
  assert.equal(out.FederatedUser!.FederatedUserId, `${account}:carol`);
  assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! < 100);
  const id = await stsWith(server, keysOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, `arn:aws:sts::${account}:federated-user/carol`);
  assert.equal(id.UserId, `${account}:carol`);

  await rejects(
    rootSts().send(new GetFederationTokenCommand({ Name: "carol", Policy: "{nope" })),
    "MalformedPolicyDocumentException",
    400,
    "The policy is not in the valid JSON format.",
  );
});
