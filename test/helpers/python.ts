// Running Python (boto3) scenarios against a test server: asynchronously only, because the server runs in
// the test's own process and a synchronous child would block it from answering.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { pythonClientsOff } from "./aws-cli.js";

export const run = promisify(execFile);

/**
 * A skip reason when there is no python3 on the PATH, or it cannot import these modules, else false; with no
 * modules, for tests that only need python3 itself (Lambda's Python runtimes).
 */
export function pythonMissing(modules = ["boto3"]): string | false {
  if (modules.includes("boto3") && pythonClientsOff()) return "boto3 scenarios left to the first Node's run (STRATUS_TEST_PYTHON_CLIENTS=0)";
  // One python3 start when all is there (the usual case); a second only to word why not.
  if (spawnSync("python3", ["-c", modules.length ? `import ${modules.join(", ")}` : "pass"], { stdio: "ignore" }).status === 0) return false;
  if (spawnSync("python3", ["-c", "pass"], { stdio: "ignore" }).status !== 0) return "python3 not installed";
  return `${modules.join(" or ")} not installed`;
}
