// SecureString parameters: values encrypted by KMS (never stored in the clear), decrypted only when asked.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParametersByPathCommand,
  GetParameterHistoryCommand,
  DescribeParametersCommand,
} from "@aws-sdk/client-ssm";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const SECRET = "s3cr3t-plaintext-marker-7f1c";

const dataDir = mkdtempSync(join(tmpdir(), "stratus-ssm-secure-"));
const server = useServer({ dataDir });
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every byte under the data dir (database, WAL, blobs) contains no trace of the plaintext. */
function assertNoPlaintextOnDisk(): void {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  for (const f of walk(dataDir)) assert.ok(!readFileSync(f).includes(SECRET), `plaintext found in ${f}`);
}

test("SecureString: ciphertext unless WithDecryption, default key alias/aws/ssm, plaintext never on disk", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new PutParameterCommand({ Name: "/sec/db/password", Value: SECRET, Type: "SecureString" }));
  const hidden = (await ssm.send(new GetParameterCommand({ Name: "/sec/db/password" }))).Parameter!;
  assert.equal(hidden.Type, "SecureString");
  assert.notEqual(hidden.Value, SECRET);
  assert.match(hidden.Value!, /^[A-Za-z0-9+/]+=*$/, "the ciphertext, base64");
  const clear = (await ssm.send(new GetParameterCommand({ Name: "/sec/db/password", WithDecryption: true }))).Parameter!;
  assert.equal(clear.Value, SECRET);
  const [meta] = (await ssm.send(new DescribeParametersCommand({}))).Parameters!;
  assert.equal(meta.KeyId, "alias/aws/ssm");

  await ssm.send(new PutParameterCommand({ Name: "/sec/db/password", Value: `${SECRET}-2`, Overwrite: true }));
  const many = await ssm.send(new GetParametersCommand({ Names: ["/sec/db/password", "/sec/db/password:1"], WithDecryption: true }));
  assert.deepEqual(
    many.Parameters!.map((p) => p.Value),
    [`${SECRET}-2`, SECRET],
  );
  const byPath = await ssm.send(new GetParametersByPathCommand({ Path: "/sec", Recursive: true, WithDecryption: true }));
  assert.equal(byPath.Parameters![0].Value, `${SECRET}-2`);
  const history = await ssm.send(new GetParameterHistoryCommand({ Name: "/sec/db/password", WithDecryption: true }));
  assert.deepEqual(
    history.Parameters!.map((p) => p.Value),
    [SECRET, `${SECRET}-2`],
  );
  assertNoPlaintextOnDisk();
});

test("SecureString with an unknown KMS key fails with InvalidKeyId", async () => {
  const ssm = server.client(SSMClient);
  await rejects(ssm.send(new PutParameterCommand({ Name: "/sec/k", Value: "v", Type: "SecureString", KeyId: "alias/does-not-exist" })), "InvalidKeyId", 400);
  await rejects(ssm.send(new PutParameterCommand({ Name: "/sec/k", Value: "v", Type: "String", KeyId: "alias/x" })), "ValidationException", 400);
});
