// S3 through the AWS CLIs (s3api, and s3 cp/ls whose big files go multipart) and boto3 (put/get/list/delete,
// upload_file with a small multipart threshold, errors by code).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing } from "../../helpers/python.js";

const server = useServer();
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "stratus-s3-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const bucketName = () => `cli-${Math.random().toString(36).slice(2, 10)}`;

const clis = awsClis();
if (!clis.length) test("AWS CLI: s3api and s3 cp/ls", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`AWS CLI ${cli.label}: s3api and s3 cp/ls (multipart for a big file)`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => runAws(cli, server.url, args, creds);
    const b = bucketName();
    const mk = await aws("s3api", "create-bucket", "--bucket", b);
    assert.equal(mk.status, 0, mk.stderr);
    const loc = await aws("s3api", "get-bucket-location", "--bucket", b);
    assert.equal(loc.status, 0, loc.stderr);
    assert.equal(JSON.parse(loc.stdout).LocationConstraint ?? null, null);

    const small = join(dir, `small-${b}.txt`);
    writeFileSync(small, "hello from the cli");
    const put = await aws("s3api", "put-object", "--bucket", b, "--key", "dir/small.txt", "--body", small, "--metadata", "k=v");
    assert.equal(put.status, 0, put.stderr);
    assert.equal(JSON.parse(put.stdout).ETag, `"${createHash("md5").update("hello from the cli").digest("hex")}"`);
    const head = await aws("s3api", "head-object", "--bucket", b, "--key", "dir/small.txt");
    assert.equal(head.status, 0, head.stderr);
    const h = JSON.parse(head.stdout);
    assert.equal(h.ContentLength, 18);
    assert.deepEqual(h.Metadata, { k: "v" });

    // 9 MiB: over the CLI's 8 MiB multipart threshold, so it uploads two parts.
    const big = join(dir, `big-${b}.bin`);
    const content = randomBytes(9 * 1024 * 1024);
    writeFileSync(big, content);
    const cp = await aws("s3", "cp", big, `s3://${b}/big.bin`);
    assert.equal(cp.status, 0, cp.stderr);
    const bh = JSON.parse((await aws("s3api", "head-object", "--bucket", b, "--key", "big.bin")).stdout);
    assert.equal(bh.ContentLength, content.length);
    assert.match(bh.ETag, /-2"$/);
    const back = join(dir, `back-${b}.bin`);
    const down = await aws("s3", "cp", `s3://${b}/big.bin`, back);
    assert.equal(down.status, 0, down.stderr);
    assert.ok(readFileSync(back).equals(content));

    const ls = await aws("s3", "ls", `s3://${b}/`);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /PRE dir\//);
    assert.match(ls.stdout, /big\.bin/);
    const list = JSON.parse((await aws("s3api", "list-objects-v2", "--bucket", b)).stdout);
    assert.deepEqual(
      list.Contents.map((o: { Key: string }) => o.Key),
      ["big.bin", "dir/small.txt"],
    );

    const missing = await aws("s3api", "get-object", "--bucket", b, "--key", "nope", join(dir, "nope"));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /NoSuchKey/);
    const notEmpty = await aws("s3api", "delete-bucket", "--bucket", b);
    assert.match(notEmpty.stderr, /BucketNotEmpty/);
    const rm = await aws("s3", "rm", `s3://${b}/`, "--recursive");
    assert.equal(rm.status, 0, rm.stderr);
    const del = await aws("s3api", "delete-bucket", "--bucket", b);
    assert.equal(del.status, 0, del.stderr);
  });
}

function python(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("boto3: put/get/list/delete, upload_file multipart, errors and a regional bucket", { skip: pythonMissing() }, async () => {
  const b = bucketName();
  const file = join(dir, `boto-${b}.bin`);
  writeFileSync(file, randomBytes(6 * 1024 * 1024 + 123));
  const script = `
import boto3, json, hashlib
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=${JSON.stringify(server.url)}, region_name="us-east-1", config=boto3.session.Config(s3={"addressing_style": "path"}))
out = {}
s3.create_bucket(Bucket=${JSON.stringify(b)})
s3.put_object(Bucket=${JSON.stringify(b)}, Key="a.txt", Body=b"boto body", Metadata={"m": "1"})
o = s3.get_object(Bucket=${JSON.stringify(b)}, Key="a.txt")
out["body"] = o["Body"].read().decode()
out["ctype"] = o["ContentType"]
out["meta"] = o["Metadata"]
out["range"] = s3.get_object(Bucket=${JSON.stringify(b)}, Key="a.txt", Range="bytes=0-3")["Body"].read().decode()
s3.upload_file(${JSON.stringify(file)}, ${JSON.stringify(b)}, "big.bin", Config=TransferConfig(multipart_threshold=5*1024*1024, multipart_chunksize=5*1024*1024))
h = s3.head_object(Bucket=${JSON.stringify(b)}, Key="big.bin")
out["bigsize"] = h["ContentLength"]
out["bigetag"] = h["ETag"]
data = s3.get_object(Bucket=${JSON.stringify(b)}, Key="big.bin")["Body"].read()
out["bigmd5"] = hashlib.md5(data).hexdigest()
out["keys"] = [c["Key"] for c in s3.list_objects_v2(Bucket=${JSON.stringify(b)})["Contents"]]
out["loc"] = s3.get_bucket_location(Bucket=${JSON.stringify(b)})["LocationConstraint"]
try:
    s3.get_object(Bucket=${JSON.stringify(b)}, Key="missing")
except ClientError as e:
    out["err"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
eu = boto3.client("s3", endpoint_url=${JSON.stringify(server.url)}, region_name="eu-west-1", config=boto3.session.Config(s3={"addressing_style": "path"}))
try:
    eu.create_bucket(Bucket=${JSON.stringify(b + "-eu")})
except ClientError as e:
    out["noloc"] = e.response["Error"]["Code"]
eu.create_bucket(Bucket=${JSON.stringify(b + "-eu")}, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
out["euloc"] = eu.get_bucket_location(Bucket=${JSON.stringify(b + "-eu")})["LocationConstraint"]
s3.delete_objects(Bucket=${JSON.stringify(b)}, Delete={"Objects": [{"Key": "a.txt"}, {"Key": "big.bin"}]})
out["after"] = s3.list_objects_v2(Bucket=${JSON.stringify(b)})["KeyCount"]
print(json.dumps(out))
`;
  const r = await python(script, {
    AWS_ACCESS_KEY_ID: randomAccount(),
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const content = readFileSync(file);
  assert.equal(out.body, "boto body");
  assert.equal(out.ctype, "binary/octet-stream");
  assert.deepEqual(out.meta, { m: "1" });
  assert.equal(out.range, "boto");
  assert.equal(out.bigsize, content.length);
  assert.match(out.bigetag, /-2"$/);
  assert.equal(out.bigmd5, createHash("md5").update(content).digest("hex"));
  assert.deepEqual(out.keys, ["a.txt", "big.bin"]);
  assert.equal(out.loc, null);
  assert.deepEqual(out.err, ["NoSuchKey", 404]);
  assert.equal(out.noloc, "IllegalLocationConstraintException");
  assert.equal(out.euloc, "eu-west-1");
  assert.equal(out.after, 0);
});
