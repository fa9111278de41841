// AssumeRoleWithWebIdentity through the real SDK v3 STS client (unsigned, as the SDK sends it) and the AWS CLI,
// against a local OpenID Connect IdP (test/helpers/oidc-idp.ts): the token's signature checked with the IdP's JWKS
// over HTTPS trusted by the provider's thumbprint, audience, expiry, the trust policy's Federated principal and
// `<provider>:aud`/`:sub` conditions, and the errors as AWS words them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { startTestIdp, type TestIdp } from "../../helpers/oidc-idp.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();
let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

const AUD = "sts.amazonaws.com";

/** A fresh account with the IdP registered and a role trusting it for subject `repo:acme/*`. */
async function setup(opts: { thumbprint?: string; issuer?: string } = {}) {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const issuer = opts.issuer ?? idp.issuer;
  const { OpenIDConnectProviderArn: providerArn } = await iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [AUD], ThumbprintList: [opts.thumbprint ?? idp.thumbprint] }),
  );
  const host = issuer.replace(/^https:\/\//, "");
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${host}:aud`]: AUD }, StringLike: { [`${host}:sub`]: "repo:acme/*" } },
      },
    ],
  };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "ci", AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 7200 }));
  return { account, roleArn: Role!.Arn!, providerArn: providerArn! };
}

const sts = () => server.client(STSClient);

test("a token from a registered issuer assumes the role: credentials, subject, provider, audience", async () => {
  const { account, roleArn } = await setup();
  const token = idp.token({ sub: "repo:acme/app:ref:refs/heads/main", aud: AUD });
  const r = await sts().send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "build-1", WebIdentityToken: token, DurationSeconds: 7200 }),
  );
  assert.match(r.Credentials!.AccessKeyId!, /^ASIA/);
  assert.equal(r.SubjectFromWebIdentityToken, "repo:acme/app:ref:refs/heads/main");
  assert.equal(r.Provider, idp.issuer);
  assert.equal(r.Audience, AUD);
  assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${account}:assumed-role/ci/build-1`);
  assert.match(r.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z0-9]{17}:build-1$/);
  const lifetime = r.Credentials!.Expiration!.getTime() - Date.now();
  assert.ok(lifetime > 7100_000 && lifetime <= 7200_000, String(lifetime));

  const asRole = server.client(STSClient, {
    accessKeyId: r.Credentials!.AccessKeyId!,
    secretAccessKey: r.Credentials!.SecretAccessKey!,
    sessionToken: r.Credentials!.SessionToken!,
  });
  const me = await asRole.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, r.AssumedRoleUser!.Arn);
  assert.equal(me.Account, account);
});

test("the trust policy decides: a subject its condition does not match, or a missing role, is AccessDenied", async () => {
  const { roleArn } = await setup();
  await rejects(
    sts().send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "s1", WebIdentityToken: idp.token({ sub: "repo:evil/app", aud: AUD }) }),
    ),
    "AccessDenied",
    403,
    "Not authorized to perform sts:AssumeRoleWithWebIdentity",
  );
  await rejects(
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn.replace(":role/ci", ":role/nope"),
        RoleSessionName: "s1",
        WebIdentityToken: idp.token({ sub: "repo:acme/app", aud: AUD }),
      }),
    ),
    "AccessDenied",
    403,
    "Not authorized to perform sts:AssumeRoleWithWebIdentity",
  );
});

test("token checks: audience, expiry, signature, not a JWT, unregistered issuer", async () => {
  const { roleArn } = await setup();
  const call = (WebIdentityToken: string) => sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "s1", WebIdentityToken }));
  await rejects(call(idp.token({ sub: "repo:acme/app", aud: "someone-else" })), "InvalidIdentityTokenException", 400, "Incorrect token audience");
  const past = Math.floor(Date.now() / 1000) - 60;
  await rejects(call(idp.token({ sub: "repo:acme/app", aud: AUD, exp: past })), "ExpiredTokenException", 400, /^Token expired/);
  await rejects(call(idp.token({ sub: "repo:acme/app", aud: AUD }, { key: idp.foreignKey })), "InvalidIdentityTokenException", 400);
  await rejects(
    call("not-a-jwt-at-all"),
    "InvalidIdentityTokenException",
    400,
    "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
  );
  await rejects(
    call(idp.token({ iss: "https://unregistered.example.com", sub: "repo:acme/app", aud: AUD })),
    "InvalidIdentityTokenException",
    400,
    "No OpenIDConnect provider found in your account for https://unregistered.example.com",
  );
});

test("an IdP whose certificate matches no thumbprint, or that cannot be reached, is IDPCommunicationError (unless opted out)", async () => {
  const wrong = await setup({ thumbprint: "0".repeat(40) });
  const token = idp.token({ sub: "repo:acme/app", aud: AUD });
  const message = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
  await rejects(
    sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: wrong.roleArn, RoleSessionName: "s1", WebIdentityToken: token })),
    "IDPCommunicationErrorException",
    400,
    message,
  );
  // An issuer nothing listens on: refused, unless STRATUS_STS_WEB_IDENTITY_UNVERIFIED=1 (then only the signature goes unchecked).
  const gone = "https://127.0.0.1:1/gone";
  const offline = await setup({ issuer: gone });
  const offToken = idp.token({ iss: gone, sub: "repo:acme/app", aud: AUD });
  const call = () => sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: offline.roleArn, RoleSessionName: "s1", WebIdentityToken: offToken }));
  await rejects(call(), "IDPCommunicationErrorException", 400, message);
  process.env.STRATUS_STS_WEB_IDENTITY_UNVERIFIED = "1";
  try {
    const r = await call();
    assert.equal(r.Provider, gone);
    await rejects(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: offline.roleArn,
          RoleSessionName: "s1",
          WebIdentityToken: idp.token({ iss: gone, sub: "repo:acme/app", aud: "other" }),
        }),
      ),
      "InvalidIdentityTokenException",
      400,
      "Incorrect token audience",
    );
  } finally {
    delete process.env.STRATUS_STS_WEB_IDENTITY_UNVERIFIED;
  }
});

test("under --auth sigv4 the unsigned call is still accepted, as on AWS", async () => {
  const strict = await startTestServer({ auth: "sigv4" });
  try {
    const iam = new IAMClient({ endpoint: strict.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { OpenIDConnectProviderArn } = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: idp.issuer, ClientIDList: [AUD], ThumbprintList: [idp.thumbprint] }),
    );
    const trust = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Federated: OpenIDConnectProviderArn }, Action: "sts:AssumeRoleWithWebIdentity" }],
    };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "strict", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const client = new STSClient({ endpoint: strict.url, region: "us-east-1", credentials: { accessKeyId: "unused", secretAccessKey: "unused" } });
    const r = await client.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: Role!.Arn!, RoleSessionName: "s1", WebIdentityToken: idp.token({ sub: "x", aud: AUD }) }),
    );
    assert.match(r.Credentials!.AccessKeyId!, /^ASIA/);
  } finally {
    await strict.close();
  }
});

const clis = awsClis();
if (!clis.length) test("aws CLI: assume-role-with-web-identity", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: assume-role-with-web-identity`, async () => {
    const { roleArn } = await setup();
    const r = await runAws(
      cli,
      server.url,
      [
        "sts",
        "assume-role-with-web-identity",
        "--role-arn",
        roleArn,
        "--role-session-name",
        "cli",
        "--web-identity-token",
        idp.token({ sub: "repo:acme/cli", aud: AUD }),
      ],
      { AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.SubjectFromWebIdentityToken, "repo:acme/cli");
    assert.equal(out.Audience, AUD);
  });
