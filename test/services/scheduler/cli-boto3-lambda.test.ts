// EventBridge Scheduler from the AWS CLI (v1 and v2, where installed) and boto3 on a real clock — an at() schedule a
// few seconds ahead delivering to SQS, errors as AWS words them — and a Lambda target invoked asynchronously with
// the schedule's Input (no resource policy on the function: Scheduler invokes with the target's role).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { atExpr, clients, queue, receive } from "./setup.js";

const server = useServer();
/** An at() instant whole seconds ahead (at() has no fractions). */
const ahead = (ms: number) => Math.ceil((Date.now() + ms) / 1000) * 1000;

const clis = awsClis();
if (!clis.length) test("aws CLI: scheduler", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-schedule at() delivering to SQS, get-schedule, errors`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const c = clients(server, account);
    const q = await queue(c, "cli-q");
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["scheduler", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const when = ahead(8_000); // the CLI's own start-up takes seconds on a busy machine
    const { ScheduleArn } = await aws([
      "create-schedule",
      "--name",
      "cli",
      "--schedule-expression",
      atExpr(when),
      "--flexible-time-window",
      "Mode=OFF",
      "--target",
      JSON.stringify({ Arn: q.arn, RoleArn: c.role, Input: "from the CLI" }),
    ]); // (no --action-after-completion: CLI v2 2.9 predates it)
    assert.equal(ScheduleArn, `arn:aws:scheduler:us-east-1:${account}:schedule/default/cli`);
    assert.equal((await aws(["get-schedule", "--name", "cli"])).ScheduleExpression, atExpr(when));
    await waitUntil(() => Date.now() >= when - 1_000, "the schedule's instant", 10_000);
    const [m] = await receive(c, q.url, 1, false, 5);
    assert.equal(m.Body, "from the CLI");
    assert.ok(Date.now() >= when - 50, `received ${when - Date.now()} ms before its instant`); // lateness: durability.test.ts, the bench
    const bad = await runAws(
      cli,
      server.url,
      [
        "scheduler",
        "create-schedule",
        "--name",
        "x",
        "--schedule-expression",
        "rate(1 minutes)",
        "--flexible-time-window",
        "Mode=OFF",
        "--target",
        JSON.stringify({ Arn: q.arn, RoleArn: c.role }),
      ],
      creds,
    );
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /\(ValidationException\).*Invalid Schedule Expression rate\(1 minutes\)\./);
  });

const BOTO3_SCRIPT = `
import json, sys, time, boto3
from datetime import datetime, timezone
from botocore.exceptions import ClientError
url, account, queue_arn = sys.argv[1:4]
at = "at(%s)" % datetime.fromtimestamp(int(time.time()) + 3, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
s = boto3.client("scheduler", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
s.create_schedule_group(Name="py")
arn = s.create_schedule(Name="py", GroupName="py", ScheduleExpression=at, FlexibleTimeWindow={"Mode": "OFF"},
    Target={"Arn": queue_arn, "RoleArn": "arn:aws:iam::%s:role/r" % account, "Input": "from boto3"})["ScheduleArn"]
names = [x["Name"] for x in s.list_schedules(GroupName="py")["Schedules"]]
try:
    s.get_schedule(Name="nope", GroupName="py")
    err = None
except ClientError as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
print(json.dumps({"arn": arn, "names": names, "err": err}))
`;

test("boto3: a group, a schedule delivering to SQS, an error", { skip: pythonMissing(["boto3"]) }, async () => {
  const account = randomAccount();
  const c = clients(server, account);
  const q = await queue(c, "py-q");
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, account, q.arn], { env, timeout: 60_000 })).stdout);
  assert.equal(out.arn, `arn:aws:scheduler:us-east-1:${account}:schedule/py/py`);
  assert.deepEqual(out.names, ["py"]);
  assert.deepEqual(out.err, ["ResourceNotFoundException", 404, "Schedule nope does not exist."]);
  assert.equal((await receive(c, q.url, 1, false, 5))[0].Body, "from boto3");
});

test("a Lambda target is invoked asynchronously with the schedule's Input, no resource policy needed", async () => {
  const env = await lambdaEnv(server);
  const c = clients(server, env.account);
  const dir = mkdtempSync(join(tmpdir(), "stratus-sched-fn-"));
  try {
    const fn = await createFunction(env, {
      FunctionName: "scheduled",
      code: { "index.mjs": 'import { writeFileSync } from "node:fs";\nexport const handler = async (e) => { writeFileSync(e.file, JSON.stringify(e)); };' },
    });
    const file = join(dir, "event.json");
    await c.sch.send(
      new CreateScheduleCommand({
        Name: "fn",
        ScheduleExpression: atExpr(ahead(1_500)),
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: fn.FunctionArn!, RoleArn: c.role, Input: JSON.stringify({ file, n: 7 }) },
      }),
    );
    await waitUntil(() => existsSync(file) && readFileSync(file, "utf8").length > 0, "the function to run", 20_000);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { file, n: 7 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
