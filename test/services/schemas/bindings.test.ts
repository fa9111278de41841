// Code bindings: PutCodeBinding (CREATE_IN_PROGRESS) → DescribeCodeBinding (CREATE_COMPLETE) → GetCodeBindingSource's
// zip in AWS's package layout; the TypeScript compiles under `tsc --strict` and the Python imports and unmarshals an
// event (boto3, with botocore's code_binding_exists waiter); Java and Go laid out with their Marshaller.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  DescribeCodeBindingCommand,
  GetCodeBindingSourceCommand,
  GetDiscoveredSchemaCommand,
  PutCodeBindingCommand,
  SchemasClient,
} from "@aws-sdk/client-schemas";
import { extractZip, listZip } from "../../../src/core/zip.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "stratus-bindings-"));
  dirs.push(d);
  return d;
};

const EC2 = { RegistryName: "aws.events", SchemaName: "aws.ec2@EC2InstanceStateChangeNotification" };
const EC2_DIR = "schema/aws/ec2/ec2instancestatechangenotification";

async function source(api: SchemasClient, target: { RegistryName: string; SchemaName: string }, Language: string): Promise<Buffer> {
  const put = await api.send(new PutCodeBindingCommand({ ...target, Language }));
  assert.equal(put.Status, "CREATE_IN_PROGRESS");
  assert.equal(put.SchemaVersion, "1");
  assert.equal((await api.send(new DescribeCodeBindingCommand({ ...target, Language }))).Status, "CREATE_COMPLETE");
  return Buffer.from((await api.send(new GetCodeBindingSourceCommand({ ...target, Language }))).Body!);
}

test("TypeScript3: the binding compiles under tsc --strict, with a handler using AWSEvent and the Marshaller", async () => {
  const account = randomAccount();
  const api = server.client(SchemasClient, { account });
  await rejects(api.send(new DescribeCodeBindingCommand({ ...EC2, Language: "TypeScript3" })), "NotFoundException", 404);
  await rejects(api.send(new PutCodeBindingCommand({ ...EC2, Language: "Cobol" })), "BadRequestException", 400);
  // A custom schema with nested objects and arrays, as a discoverer writes it.
  const event = {
    version: "0",
    id: "1",
    "detail-type": "OrderPlaced",
    source: "myapp",
    account,
    time: "2026-12-06T09:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { id: "o", total: 2.5, customer: { name: "a" }, items: [{ sku: "s" }], at: "2026-12-06T09:00:00Z" },
  };
  const { Content } = await api.send(new GetDiscoveredSchemaCommand({ Events: [JSON.stringify(event)], Type: "OpenApi3" }));
  await api.send(new CreateRegistryCommand({ RegistryName: "shop" }));
  await api.send(new CreateSchemaCommand({ RegistryName: "shop", SchemaName: "myapp@OrderPlaced", Type: "OpenApi3", Content }));

  const dir = tmp();
  const ec2 = await source(api, EC2, "TypeScript3");
  assert.deepEqual(
    listZip(ec2)
      .map((e) => e.name)
      .sort(),
    [`${EC2_DIR}/AWSEvent.ts`, `${EC2_DIR}/EC2InstanceStateChangeNotification.ts`, `${EC2_DIR}/marshaller/Marshaller.ts`],
  );
  extractZip(ec2, dir);
  extractZip(await source(api, { RegistryName: "shop", SchemaName: "myapp@OrderPlaced" }, "TypeScript3"), dir);
  writeFileSync(
    join(dir, "handler.ts"),
    `import { Marshaller } from './${EC2_DIR}/marshaller/Marshaller';
import { AWSEvent } from './${EC2_DIR}/AWSEvent';
import { AWSEvent as OrderEvent } from './schema/myapp/orderplaced/AWSEvent';
import { OrderPlaced } from './schema/myapp/orderplaced/OrderPlaced';
export function handler(input: unknown): string {
  const e: AWSEvent = Marshaller.unmarshal(input, 'AWSEvent');
  const o: OrderEvent = new OrderEvent();
  const d: OrderPlaced = o.detail;
  const n: number = d.total;
  const name: string = d.customer.name;
  const sku: string = d.items[0].sku;
  const at: Date = d.at;
  return e.detail['instance-id'] + e.time.toISOString() + n + name + sku + at.toISOString();
}
`,
  );
  const tsc = join(process.cwd(), "node_modules/.bin/tsc");
  const r = await run(tsc, ["--strict", "--noEmit", "--target", "ES2019", "--module", "commonjs", join(dir, "handler.ts")], { cwd: dir }).catch(
    (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
  );
  assert.ok(!("failed" in r), r.stdout);
});

test("Java8 and Go1: AWS's package layout with a Marshaller", async () => {
  const api = server.client(SchemasClient);
  const java = await source(api, EC2, "Java8");
  const names = listZip(java)
    .map((e) => e.name)
    .sort();
  assert.deepEqual(names, [`${EC2_DIR}/AWSEvent.java`, `${EC2_DIR}/EC2InstanceStateChangeNotification.java`, `${EC2_DIR}/marshaller/Marshaller.java`]);
  const dir = tmp();
  extractZip(java, dir);
  const { readFileSync } = await import("node:fs");
  const detail = readFileSync(join(dir, EC2_DIR, "EC2InstanceStateChangeNotification.java"), "utf8");
  assert.match(detail, /^package schema\.aws\.ec2\.ec2instancestatechangenotification;/);
  assert.match(detail, /@JsonProperty\("instance-id"\)\s+private String instanceId = null;/);
  const go = await source(api, EC2, "Go1");
  assert.deepEqual(
    listZip(go)
      .map((e) => e.name)
      .sort(),
    [`${EC2_DIR}/AWSEvent.go`, `${EC2_DIR}/EC2InstanceStateChangeNotification.go`, `${EC2_DIR}/marshaller.go`],
  );
});

const BOTO3_SCRIPT = `
import io, json, sys, zipfile, boto3
url, account, out = sys.argv[1:4]
s = boto3.client("schemas", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
target = dict(RegistryName="aws.events", SchemaName="aws.ec2@EC2InstanceStateChangeNotification", Language="Python36")
status = s.put_code_binding(**target)["Status"]
s.get_waiter("code_binding_exists").wait(**target)
zipfile.ZipFile(io.BytesIO(s.get_code_binding_source(**target)["Body"].read())).extractall(out)
sys.path.insert(0, out)
from schema.aws.ec2.ec2instancestatechangenotification import Marshaller, AWSEvent, EC2InstanceStateChangeNotification
event = {"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "123456789012", "time": "2019-11-11T21:29:54Z", "region": "us-east-1", "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-abcd1111", "state": "pending"}}
e = Marshaller.unmarshall(event, AWSEvent)
assert isinstance(e.detail, EC2InstanceStateChangeNotification)
print(json.dumps({"status": status, "instance": e.detail.instance_id, "type": e.detail_type, "year": e.time.year, "back": Marshaller.marshall(e)["detail"]}))
`;

test("boto3 Python36: put, the code_binding_exists waiter, the zip imported and an event unmarshalled", { skip: pythonMissing(["boto3"]) }, async () => {
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3_SCRIPT, server.url, randomAccount(), tmp()], { env, timeout: 60_000 })).stdout);
  assert.deepEqual(out, {
    status: "CREATE_IN_PROGRESS",
    instance: "i-abcd1111",
    type: "EC2 Instance State-change Notification",
    year: 2019,
    back: { "instance-id": "i-abcd1111", state: "pending" },
  });
});
