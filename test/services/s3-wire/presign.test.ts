// Presigned URLs: SigV4 from @aws-sdk/s3-request-presigner (GET and PUT), boto3's default SigV2 form, and browser
// POST uploads with a signed policy (boto3's generate_presigned_post, V2 and V4) — under --auth sigv4 and none.
// Every URL and policy is signed at the ManualClock's time (the SDK presigner's signingDate; boto3 with its clock
// pinned to it), so expiry is exact however long signing takes on a busy machine; the boto3 tests skip without it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { S3Client, CreateBucketCommand, GetObjectCommand, PutObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, type TestServer, useServer } from "../../helpers/server.js";
import { pythonMissing } from "../../helpers/python.js";

const noBoto3 = pythonMissing();

const clock = new ManualClock();
/** Sets the clock to a whole second near the real time (SDK requests are signed on the real clock) and returns it. */
function freeze(): number {
  clock.set(Math.floor(Date.now() / 1000) * 1000);
  return clock.now();
}
/** Runs `check` with the clock at `at`, then puts it back to `back`. */
async function at(t: number, back: number, check: () => Promise<void>): Promise<void> {
  clock.set(t);
  try {
    await check();
  } finally {
    clock.set(back);
  }
}
const signed = useServer({ auth: "sigv4", clock });
const open = useServer({ clock });

const s3 = (s: TestServer, account: string) => new S3Client({ ...s.clientConfig({ account }), forcePathStyle: true });

async function bucketWith(s: TestServer, account: string, key?: string, body?: string): Promise<string> {
  const bucket = `ps-${account}`;
  await s3(s, account).send(new CreateBucketCommand({ Bucket: bucket }));
  if (key) await s3(s, account).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return bucket;
}

function python(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", script], { env: { ...process.env, NOW: String(clock.now()), ...env } });
    let out = "",
      err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
  });
}

// boto3 signs at NOW (ms, the ManualClock's time), not on its own clock: botocore reads the time through
// get_current_datetime (SigV4, POST policies) and time.time (SigV2's Expires).
const BOTO = `
import boto3, botocore.auth, botocore.signers, datetime, json, os, sys, time
from botocore.config import Config
now = int(os.environ["NOW"]) / 1000
def pinned(remove_tzinfo=True):
    d = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    return d.replace(tzinfo=None) if remove_tzinfo else d
class PinnedTime:
    def __getattr__(self, name): return getattr(time, name)
    def time(self): return now
botocore.auth.get_current_datetime = pinned
botocore.signers.get_current_datetime = pinned
botocore.auth.time = PinnedTime()
sv = os.environ.get("SIGV")
c = boto3.client("s3", endpoint_url=os.environ["EP"], region_name="us-east-1", aws_access_key_id=os.environ["AK"], aws_secret_access_key="test",
                 config=Config(signature_version=sv, s3={"addressing_style": "path"}) if sv else Config(s3={"addressing_style": "path"}))
op = os.environ["OP"]
if op == "post":
    print(json.dumps(c.generate_presigned_post(os.environ["B"], os.environ["K"], Fields=json.loads(os.environ.get("F", "null")), Conditions=json.loads(os.environ.get("C", "null")), ExpiresIn=int(os.environ.get("EXP", "3600")))))
else:
    print(c.generate_presigned_url(op, Params={"Bucket": os.environ["B"], "Key": os.environ["K"]}, ExpiresIn=int(os.environ.get("EXP", "3600"))))
`;

for (const mode of ["sigv4", "none"] as const) {
  test(`SigV4 presigned GET and PUT from the SDK presigner work, and expire (--auth ${mode})`, async () => {
    const server = mode === "sigv4" ? signed : open;
    const t0 = freeze();
    const account = randomAccount();
    const bucket = await bucketWith(server, account, "hello.txt", "hello presigned");
    const c = s3(server, account);
    const signingDate = new Date(t0);
    const get = await getSignedUrl(c, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 60, signingDate });
    assert.equal(new URL(get).searchParams.get("X-Amz-Date"), signingDate.toISOString().replace(/[-:]|\.\d{3}/g, ""));
    const r = await fetch(get);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "hello presigned");
    const put = await getSignedUrl(c, new PutObjectCommand({ Bucket: bucket, Key: "up.txt" }), { expiresIn: 60, signingDate });
    const p = await fetch(put, { method: "PUT", body: "uploaded via URL" });
    assert.equal(p.status, 200, await p.text());
    const back = await c.send(new GetObjectCommand({ Bucket: bucket, Key: "up.txt" }));
    assert.equal(await back.Body!.transformToString(), "uploaded via URL");

    await at(t0 + 59_000, t0, async () => assert.equal((await fetch(get)).status, 200, "valid until X-Amz-Date + 60 s"));
    await at(t0 + 61_000, t0, async () => {
      const expired = await fetch(get);
      assert.equal(expired.status, 403);
      const text = await expired.text();
      assert.match(text, /<Code>AccessDenied<\/Code>/);
      assert.match(text, /<Message>Request has expired<\/Message>/);
    });
  });

  test(`boto3's default presigned URL (SigV2: AWSAccessKeyId, Signature, Expires) works and expires (--auth ${mode})`, { skip: noBoto3 }, async () => {
    const server = mode === "sigv4" ? signed : open;
    const t0 = freeze();
    const account = randomAccount();
    const bucket = await bucketWith(server, account, "v2.txt", "legacy signature");
    const env = { EP: server.url, AK: account, B: bucket, K: "v2.txt", EXP: "120" };
    const url = await python(BOTO, { ...env, OP: "get_object" });
    assert.match(url, /AWSAccessKeyId=/);
    assert.match(url, /Signature=/);
    assert.equal(new URL(url).searchParams.get("Expires"), String(t0 / 1000 + 120), "signed at the ManualClock's time");
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "legacy signature");
    const putUrl = await python(BOTO, { ...env, OP: "put_object", K: "v2-put.txt" });
    // No Content-Type: a presigned SigV2 PUT signs the Content-Type (none here), as S3 checks it.
    const p = await fetch(putUrl, { method: "PUT", body: Buffer.from("via v2") });
    assert.equal(p.status, 200, await p.text());
    if (mode === "sigv4") {
      const tampered = await fetch(url.replace("v2.txt", "other.txt"));
      assert.equal(tampered.status, 403);
      assert.match(
        await tampered.text(),
        /<Code>SignatureDoesNotMatch<\/Code>[\s\S]*<StringToSign>GET&#xA;&#xA;&#xA;\d+&#xA;\/ps-\d+\/other.txt<\/StringToSign>/,
      );
    }
    await at(t0 + 119_000, t0, async () => assert.equal((await fetch(url)).status, 200, "valid until Expires"));
    await at(t0 + 121_000, t0, async () => {
      const expired = await fetch(url);
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /<Code>AccessDenied<\/Code>[\s\S]*Request has expired/);
    });
  });
}

async function postForm(url: string, fields: Record<string, string>, file: string, filename = "f.txt"): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([file]), filename);
  return fetch(url, { method: "POST", body: form, redirect: "manual" });
}

for (const sigv of ["s3", "s3v4"]) {
  test(`a browser POST upload with a ${sigv === "s3" ? "SigV2" : "SigV4"} policy stores the file; violated conditions and expiry are refused`, {
    skip: noBoto3,
  }, async () => {
    const t0 = freeze();
    const account = randomAccount();
    const bucket = await bucketWith(signed, account);
    const env = { EP: signed.url, AK: account, B: bucket, SIGV: sigv, OP: "post" };
    const post = JSON.parse(
      await python(BOTO, {
        ...env,
        K: "uploads/${filename}",
        F: JSON.stringify({ "Content-Type": "text/plain", success_action_status: "201" }),
        C: JSON.stringify([
          ["starts-with", "$key", "uploads/"],
          { "Content-Type": "text/plain" },
          { success_action_status: "201" },
          ["content-length-range", 1, 100],
        ]),
      }),
    ) as { url: string; fields: Record<string, string> };
    const policy = JSON.parse(Buffer.from(post.fields.policy!, "base64").toString("utf8")) as { expiration: string };
    assert.equal(Date.parse(policy.expiration), t0 + 3600_000, "signed at the ManualClock's time");
    const ok = await postForm(post.url, post.fields, "posted content", "note.txt");
    assert.equal(ok.status, 201, await ok.clone().text());
    const doc = await ok.text();
    assert.match(
      doc,
      /<PostResponse><Location>[^<]+<\/Location><Bucket>ps-\d+<\/Bucket><Key>uploads\/note.txt<\/Key><ETag>"[0-9a-f]{32}"<\/ETag><\/PostResponse>/,
    );
    const head = await s3(signed, account).send(new HeadObjectCommand({ Bucket: bucket, Key: "uploads/note.txt" }));
    assert.equal(head.ContentType, "text/plain");
    assert.equal(head.ContentLength, "posted content".length);

    // A field the policy does not allow.
    const wrongType = await postForm(post.url, { ...post.fields, "Content-Type": "image/png" }, "x");
    assert.equal(wrongType.status, 403);
    assert.match(await wrongType.text(), /<Code>AccessDenied<\/Code>[\s\S]*Invalid according to Policy: Policy Condition failed/);
    // An extra field no condition covers.
    const extra = await postForm(post.url, { ...post.fields, "x-amz-meta-extra": "1" }, "x");
    assert.equal(extra.status, 403);
    assert.match(await extra.text(), /Invalid according to Policy: Extra input fields: x-amz-meta-extra/);
    // Too big for content-length-range.
    const big = await postForm(post.url, post.fields, "y".repeat(101));
    assert.equal(big.status, 400);
    assert.match(await big.text(), /<Code>EntityTooLarge<\/Code>/);
    // A forged signature.
    const forged = await postForm(
      post.url,
      { ...post.fields, policy: Buffer.from(JSON.stringify({ expiration: "2100-01-01T00:00:00Z", conditions: [] })).toString("base64") },
      "z",
    );
    assert.equal(forged.status, 403);
    // Past the policy's expiration.
    await at(t0 + 3599_000, t0, async () =>
      assert.equal((await postForm(post.url, post.fields, "in time", "t.txt")).status, 201, "valid until the expiration"),
    );
    await at(t0 + 3601_000, t0, async () => {
      const expired = await postForm(post.url, post.fields, "late");
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /Invalid according to Policy: Policy expired./);
    });
  });
}

test("a POST upload honours success_action_redirect and answers 204 by default", { skip: noBoto3 }, async () => {
  freeze();
  const account = randomAccount();
  const bucket = await bucketWith(open, account);
  const env = { EP: open.url, AK: account, B: bucket, OP: "post", SIGV: "s3v4" };
  const redirect = JSON.parse(
    await python(BOTO, {
      ...env,
      K: "r.txt",
      F: JSON.stringify({ success_action_redirect: "http://example.com/done" }),
      C: JSON.stringify([{ success_action_redirect: "http://example.com/done" }]),
    }),
  ) as { url: string; fields: Record<string, string> };
  const r = await postForm(redirect.url, redirect.fields, "redirected");
  assert.equal(r.status, 303);
  const loc = new URL(r.headers.get("location")!);
  assert.equal(loc.host, "example.com");
  assert.equal(loc.searchParams.get("key"), "r.txt");
  assert.equal(loc.searchParams.get("bucket"), bucket);
  const plain = JSON.parse(await python(BOTO, { ...env, K: "p.txt" })) as { url: string; fields: Record<string, string> };
  const p = await postForm(plain.url, plain.fields, "plain");
  assert.equal(p.status, 204);
  assert.ok(p.headers.get("etag"));
});
