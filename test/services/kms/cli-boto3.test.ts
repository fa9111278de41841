// KMS from the AWS CLI (v1 and v2, where installed; fileb:// blobs) and from boto3 (encrypt/decrypt, generate_data_key, errors).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const boto3Missing = pythonMissing();

const clis = awsClis();
if (!clis.length) test("aws CLI: kms encrypt/decrypt", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-key, create-alias, encrypt and decrypt with fileb://, a wrong context refused`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, args, creds);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout || "{}");
    };
    const { KeyMetadata } = await aws(["kms", "create-key", "--description", "cli key"]);
    await aws(["kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", KeyMetadata.KeyId]);
    const plain = join(dir, `plain-${cli.label.replace(/\W/g, "")}`);
    writeFileSync(plain, Buffer.from([0, 1, 2, 250, 255, 10]));
    const enc = await aws(["kms", "encrypt", "--key-id", "alias/cli", "--plaintext", `fileb://${plain}`, "--encryption-context", "app=cli"]);
    assert.equal(enc.KeyId, KeyMetadata.Arn);
    const blob = join(dir, `blob-${cli.label.replace(/\W/g, "")}`);
    writeFileSync(blob, Buffer.from(enc.CiphertextBlob, "base64"));
    const dec = await aws(["kms", "decrypt", "--ciphertext-blob", `fileb://${blob}`, "--encryption-context", "app=cli"]);
    assert.deepEqual(Buffer.from(dec.Plaintext, "base64"), Buffer.from([0, 1, 2, 250, 255, 10]));
    assert.equal(dec.KeyId, KeyMetadata.Arn);
    const bad = await runAws(cli, server.url, ["kms", "decrypt", "--ciphertext-blob", `fileb://${blob}`, "--encryption-context", "app=other"], creds);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /\(InvalidCiphertextException\)/);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
kms = boto3.client("kms", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
key = kms.create_key(Description="py")["KeyMetadata"]
out = {"arn": key["Arn"]}
enc = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello boto3", EncryptionContext={"who": "py"})
out["decrypted"] = kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"who": "py"})["Plaintext"].decode()
dk = kms.generate_data_key(KeyId=key["Arn"], KeySpec="AES_256")
out["dk_len"] = len(dk["Plaintext"])
out["dk_roundtrip"] = kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"] == dk["Plaintext"]
ssm = kms.encrypt(KeyId="alias/aws/ssm", Plaintext=b"x")
out["managed"] = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]["KeyManager"]
kms.disable_key(KeyId=key["KeyId"])
try:
    kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
except ClientError as e:
    out["disabled"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: encrypt/decrypt with a context, generate_data_key, the AWS managed SSM key, DisabledException", { skip: boto3Missing }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount()], { env, timeout: 60_000 })).stdout);
  assert.equal(out.decrypted, "hello boto3");
  assert.equal(out.dk_len, 32);
  assert.equal(out.dk_roundtrip, true);
  assert.equal(out.managed, "AWS");
  assert.deepEqual(out.disabled, ["DisabledException", 400]);
});
