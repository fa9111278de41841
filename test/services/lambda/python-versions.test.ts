// A python3.X runtime runs on python3.X when the machine has that exact version on its PATH (here: pyenv's
// installs, added to PATH before the server starts), else on the local python3 with a warning in the log.
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
const root = join(homedir(), ".pyenv", "versions");
const installs = existsSync(root)
  ? readdirSync(root).filter((v) => /^3\.(9|1[0-4])\.\d+$/.test(v) && existsSync(join(root, v, "bin", `python${v.split(".").slice(0, 2).join(".")}`)))
  : [];
const pick = installs.find((v) => !v.startsWith("3.11"));
if (pick) process.env.PATH = `${join(root, pick, "bin")}:${process.env.PATH}`;

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { startTestServer } from "../../helpers/server.js";
import { createFunction, json, lambdaEnv } from "./setup.js";

test("python3.X runs on that exact Python when the machine has it", { skip: pick ? false : "no second Python version installed under ~/.pyenv" }, async () => {
  const server = await startTestServer();
  try {
    const env = await lambdaEnv(server);
    const wanted = pick!.split(".").slice(0, 2).join(".");
    await createFunction(env, {
      FunctionName: "exact",
      Runtime: `python${wanted}` as "python3.12",
      Handler: "app.handler",
      code: { "app.py": "import sys\ndef handler(event, context):\n    return '%d.%d' % sys.version_info[:2]\n" },
    });
    const out = await env.lambda.send(new InvokeCommand({ FunctionName: "exact" }));
    assert.equal(json(out.Payload), wanted);
  } finally {
    await server.close();
  }
});
