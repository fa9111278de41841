// The built CLI (bin/stratus.js running dist/: one startup file, later chunks, scripts/build.ts) serves every
// service as the source does — later chunks share the startup file's modules (one registry, one store, one
// audit trail) — and keeps V8's compiled code in a cache it only trusts when it is this user's alone.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, SignCommand, VerifyCommand } from "@aws-sdk/client-kms";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { sqliteDriver } from "../../src/core/store/driver.js";
import { openSqliteStore } from "../../src/core/store/sqlite.js";
import { makeZip } from "../helpers/zip.js";
import { killAll, run, startCli } from "./spawn.js";

after(killAll);

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const config = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
const distBuilt = existsSync(join(process.cwd(), "dist", "stratus.cjs"));

/** Files under a cache root, by folder. */
function cacheFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test("every service answers through the built server, across chunks (SNS → SQS, KMS's bundled curves, Lambda, the audit trail)", {
  skip: !distBuilt && "dist/ is absent (run npm run build)",
  timeout: 120_000,
}, async () => {
  const cache = tmp("stratus-cc-test-");
  const s = await startCli(["--ephemeral", "--port", "0", "--log-level", "warn"], { STRATUS_COMPILE_CACHE_DIR: cache });
  let engine = "";
  try {
    const c = config(s.url);
    const who = await new STSClient(c).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, "arn:aws:iam::000000000000:root");

    const iam = new IAMClient(c);
    await iam.send(new CreateUserCommand({ UserName: "dist-user" }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: "dist-user" }))).User?.UserName, "dist-user");

    const s3 = new S3Client({ ...c, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "dist-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "dist-bucket", Key: "k", Body: "hello" }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "dist-bucket", Key: "k" }))).Body?.transformToString(), "hello");

    // SNS delivering to SQS: two services' chunks, one state.
    const sqs = new SQSClient(c);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "dist-q" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const sns = new SNSClient(c);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "dist-t" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(new PublishCommand({ TopicArn, Message: "via sns" }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    assert.equal(got.Messages?.[0]?.Body, "via sns");

    const ssm = new SSMClient(c);
    await ssm.send(new PutParameterCommand({ Name: "/dist/p", Value: "v", Type: "String" }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: "/dist/p" }))).Parameter?.Value, "v");

    const sm = new SecretsManagerClient(c);
    await sm.send(new CreateSecretCommand({ Name: "dist-secret", SecretString: "s3cr3t" }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "dist-secret" }))).SecretString, "s3cr3t");

    const kms = new KMSClient(c);
    const sym = await kms.send(new CreateKeyCommand({}));
    const enc = await kms.send(new EncryptCommand({ KeyId: sym.KeyMetadata!.KeyId, Plaintext: Buffer.from("pt") }));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(), "pt");
    // secp256k1 signing runs @noble/curves, which the build bundles (it is ESM only).
    const ecc = await kms.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "SIGN_VERIFY" }));
    const msg = Buffer.from("m");
    const sig = await kms.send(new SignCommand({ KeyId: ecc.KeyMetadata!.KeyId, Message: msg, SigningAlgorithm: "ECDSA_SHA_256" }));
    const ok = await kms.send(new VerifyCommand({ KeyId: ecc.KeyMetadata!.KeyId, Message: msg, Signature: sig.Signature, SigningAlgorithm: "ECDSA_SHA_256" }));
    assert.equal(ok.SignatureValid, true);

    const logs = new CloudWatchLogsClient(c);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "dist-g" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "dist-g", logStreamName: "s" }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "dist-g", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "line" }] }));
    assert.deepEqual(
      (await logs.send(new GetLogEventsCommand({ logGroupName: "dist-g", logStreamName: "s" }))).events?.map((e) => e.message),
      ["line"],
    );

    const assume = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: "dist-fn-role", AssumeRolePolicyDocument: JSON.stringify(assume) }));
    const lambda = new LambdaClient(c);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "dist-fn",
        Runtime: "nodejs20.x",
        Role: role.Role!.Arn,
        Handler: "index.handler",
        Code: { ZipFile: makeZip({ "index.mjs": "export const handler = async (e) => ({ doubled: e.n * 2 });" }) },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: "dist-fn", Payload: Buffer.from(JSON.stringify({ n: 21 })) }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { doubled: 42 });

    // The audit trail saw the calls above, whichever chunk served them.
    const trail = await new CloudTrailClient(c).send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateUser" }] }),
    );
    assert.equal(trail.Events?.[0]?.EventName, "CreateUser");
    engine = ((await (await fetch(`${s.url}/_stratus/health`)).json()) as { store: string }).store;
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
  // The caches it wrote: the startup file's and the later chunks it loaded, in a folder only this user may write.
  const files = cacheFiles(cache);
  assert.ok(
    files.some((f) => f.endsWith("stratus.cjs.bin")),
    files.join("\n"),
  );
  assert.ok(files.filter((f) => /chunks_.*\.bin$/.test(f)).length > 5, files.join("\n"));
  // better-sqlite3's own files, when it is the driver, run through the loader too (keyed by version, size, mtime).
  if (engine === "better-sqlite3")
    assert.ok(
      files.some((f) => /better-sqlite3@[\d.]+_.*lib_database\.js-\d+-\d+\.bin$/.test(f)),
      files.join("\n"),
    );
  else assert.notEqual(engine, "");
  const dir = readdirSync(cache).map((d) => join(cache, d))[0]!;
  assert.equal(statSync(dir).mode & 0o077, 0);
  rmSync(cache, { recursive: true, force: true });
});

test("the code cache: reused as written, a corrupt one replaced, an unsafe folder never used, and off when asked", {
  skip: !distBuilt && "dist/ is absent (run npm run build)",
  timeout: 60_000,
}, async () => {
  const cache = tmp("stratus-cc-test-");
  try {
    const version = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")).version as string;
    const first = await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: cache } });
    assert.equal(first.stdout, `${version}\n`);
    const [file] = cacheFiles(cache).filter((f) => f.endsWith("stratus.cjs.bin"));
    assert.ok(file, "the startup file's cache is written");
    const written = readFileSync(file);

    // Reused: V8 accepts it, so it is not written again.
    assert.equal((await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: cache } })).stdout, `${version}\n`);
    assert.deepEqual(readFileSync(file), written);

    // Corrupt: V8 refuses it, the command still works, and a good cache replaces it (then reused as written).
    const garbage = Buffer.alloc(written.length, 7);
    writeFileSync(file, garbage);
    assert.equal((await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: cache } })).stdout, `${version}\n`);
    const replaced = readFileSync(file);
    assert.notDeepEqual(replaced, garbage);
    assert.equal((await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: cache } })).stdout, `${version}\n`);
    assert.deepEqual(readFileSync(file), replaced);

    // A folder others may write is not trusted: nothing is read from or written to it.
    const open = join(cache, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: open } });
    assert.equal(r.stdout, `${version}\n`);
    if (process.getuid?.() !== undefined) assert.deepEqual(readdirSync(open), []);

    // Off: STRATUS_COMPILE_CACHE=0 or Node's own NODE_DISABLE_COMPILE_CACHE=1.
    for (const off of [{ STRATUS_COMPILE_CACHE: "0" }, { NODE_DISABLE_COMPILE_CACHE: "1" }] as Record<string, string>[]) {
      const none = join(cache, `none-${Object.keys(off)[0]}`);
      assert.equal((await run(["--version"], { env: { STRATUS_COMPILE_CACHE_DIR: none, ...off } })).stdout, `${version}\n`);
      assert.equal(existsSync(none), false);
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("a new data dir starts from dist/empty.db, which holds exactly the schema the migrations make (WAL mode, same version)", {
  skip: !distBuilt && "dist/ is absent (run npm run build)",
}, () => {
  const fresh = tmp("stratus-schema-test-");
  try {
    // From source there is no template beside the module: the migrations run.
    openSqliteStore(fresh).close();
    const schema = (file: string) => {
      const db = sqliteDriver().open(file);
      try {
        const rows = db.prepare<[], { type: string; name: string; sql: string | null }>("SELECT type, name, sql FROM sqlite_master ORDER BY name").all();
        return { rows, version: db.pragma("user_version"), mode: db.pragma("journal_mode") };
      } finally {
        db.close();
      }
    };
    const made = schema(join(fresh, "stratus.db"));
    const template = schema(join(process.cwd(), "dist", "empty.db"));
    assert.deepEqual(template, made);
    assert.equal(template.mode, "wal");
    assert.ok(template.rows.some((r) => r.name === "records"));
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});
