// SNS from the AWS CLI (v1 and v2, where installed) and from boto3: topic, HTTP handshake, publish, and a
// signature verified in Python with the `cryptography` package — no SDK involved in the check.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { startEndpoint, type Endpoint } from "./setup.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
let hook: Endpoint;
before(async () => (hook = await startEndpoint()));
after(() => hook.close());

const boto3Missing = pythonMissing(["boto3", "cryptography"]);

const clis = awsClis();
if (!clis.length) test("aws CLI: sns topic, subscription, publish", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-topic, subscribe http, confirm-subscription, publish, list, errors`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["sns", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const { TopicArn } = await aws(["create-topic", "--name", "cli-topic", "--attributes", "DisplayName=CLI"]);
    const start = hook.received.length;
    assert.equal(
      (await aws(["subscribe", "--topic-arn", TopicArn, "--protocol", "http", "--notification-endpoint", `${hook.url}?cli`])).SubscriptionArn,
      "pending confirmation",
    );
    const conf = (await hook.waitFor(start + 1))[start];
    const { SubscriptionArn } = await aws(["confirm-subscription", "--topic-arn", TopicArn, "--token", conf.json.Token]);
    const { MessageId } = await aws([
      "publish",
      "--topic-arn",
      TopicArn,
      "--message",
      "from the cli",
      "--message-attributes",
      '{"k":{"DataType":"String","StringValue":"v"}}',
    ]);
    const note = (await hook.waitFor(start + 2))[start + 1];
    assert.equal(note.json.MessageId, MessageId);
    assert.equal(note.json.Message, "from the cli");
    const { Subscriptions } = await aws(["list-subscriptions-by-topic", "--topic-arn", TopicArn]);
    assert.deepEqual(
      Subscriptions.map((s: { SubscriptionArn: string }) => s.SubscriptionArn),
      [SubscriptionArn],
    );
    assert.equal((await aws(["get-topic-attributes", "--topic-arn", TopicArn])).Attributes.DisplayName, "CLI");

    const missing = await runAws(cli, server.url, ["sns", "get-topic-attributes", "--topic-arn", TopicArn + "-nope"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(NotFound\).*Topic does not exist/);
  });

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account, hook = sys.argv[1], sys.argv[2], sys.argv[3]
sns = boto3.client("sns", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
arn = sns.create_topic(Name="py-topic", Attributes={"SignatureVersion": "2"})["TopicArn"]
out = {"arn": arn}
sub = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=hook, ReturnSubscriptionArn=True)["SubscriptionArn"]
out["pending"] = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["PendingConfirmation"]
try:
    sns.publish(TopicArn=arn, Message="")
except ClientError as e:
    out["empty"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
res = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[{"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two", "Subject": "S"}])
out["batch"] = sorted(e["Id"] for e in res["Successful"])
print(json.dumps(out))
`;

// Reads one SNS message (JSON on stdin) and verifies it as AWS documents, using only the cert at SigningCertURL.
const VERIFY_SCRIPT = `
import base64, json, sys, urllib.request
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
msg = json.loads(sys.stdin.read())
cert = x509.load_pem_x509_certificate(urllib.request.urlopen(msg["SigningCertURL"]).read())
keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] if msg["Type"] == "Notification" else ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
canonical = "".join(k + "\\n" + msg[k] + "\\n" for k in keys if k in msg)
algo = hashes.SHA256() if msg["SignatureVersion"] == "2" else hashes.SHA1()
cert.public_key().verify(base64.b64decode(msg["Signature"]), canonical.encode(), padding.PKCS1v15(), algo)
print("verified")
`;

test("boto3: topic, http subscription, publish errors, publish_batch; signatures verified with python cryptography", { skip: boto3Missing }, async () => {
  const account = randomAccount();
  const start = hook.received.length;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account, `${hook.url}?py`], { env, timeout: 60_000 })).stdout);
  assert.equal(out.arn, `arn:aws:sns:us-east-1:${account}:py-topic`);
  assert.equal(out.pending, "true");
  assert.deepEqual(out.empty, ["InvalidParameter", 400, "Invalid parameter: Empty message"]);
  assert.deepEqual(out.batch, ["a", "b"]);

  // The confirmation (pending subscription: the batch was not delivered) verifies outside any AWS SDK.
  const conf = (await hook.waitFor(start + 1)).slice(start).find((r) => r.url.endsWith("?py"))!;
  assert.equal(conf.json.Type, "SubscriptionConfirmation");
  const child = execFile("python3", ["-c", VERIFY_SCRIPT], { env, timeout: 30_000 });
  child.stdin!.end(conf.body);
  const verified = await new Promise<string>((ok, fail) => {
    let s = "",
      e = "";
    child.stdout!.on("data", (d) => (s += d));
    child.stderr!.on("data", (d) => (e += d));
    child.on("close", (code) => (code === 0 ? ok(s.trim()) : fail(new Error(e))));
  });
  assert.equal(verified, "verified");
});
