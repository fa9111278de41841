// cfn-lint (AWS's CloudFormation linter, on these machines) agrees that every template the CloudFormation tests
// keep as a file is valid CloudFormation: the fixtures test Stratus against what AWS accepts, not against itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("./templates/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => join(dir, f));

let lint = true;
try {
  execFileSync("cfn-lint", ["--version"], { stdio: "ignore" });
} catch {
  lint = false;
}

test("cfn-lint finds every template fixture valid", { skip: lint ? false : "cfn-lint is not installed" }, async () => {
  assert.ok(files.length > 0);
  const r = await new Promise<{ code: number; out: string }>((done) =>
    execFile("cfn-lint", ["--", ...files], (e, stdout, stderr) => done({ code: e ? Number(e.code ?? 1) : 0, out: `${stdout}${stderr}` })),
  );
  assert.equal(r.code, 0, r.out);
});
