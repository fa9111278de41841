// Running Python (boto3) scenarios against a test server: asynchronously only, because the server runs in
// the test's own process and a synchronous child would block it from answering.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

export const run = promisify(execFile);

/** A skip reason when python3 cannot import these modules, else false. */
export function pythonMissing(modules = ["boto3"]): string | false {
  const ok = spawnSync("python3", ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" }).status === 0;
  return !ok && `${modules.join(" or ")} not installed`;
}
