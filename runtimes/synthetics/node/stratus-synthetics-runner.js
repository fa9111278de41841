// The handler of a canary's Lambda function (Stratus's stand-in for AWS's Synthetics wrapper): finds the canary's
// handler in its layer (nodejs/node_modules/<file>.js, or <file>.js at the layer's root for runtimes with simplified
// packaging), runs it with the Synthetics library, and returns the run — status, reason, steps, HTTP counts, log,
// screenshots — for CloudWatch Synthetics to store as artifacts, metrics and events.
"use strict";
const { existsSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");
const lib = require("./synthetics-lib.js");

function optDir() {
  const entries = (process.env.NODE_PATH || "").split(":").filter(Boolean);
  const nm = entries.find((e) => e.endsWith(join("opt", "nodejs", "node_modules")));
  return nm ? dirname(dirname(nm)) : "/opt";
}

function findCanaryFile(file) {
  const opt = optDir();
  for (const base of [join(opt, "nodejs", "node_modules"), opt]) {
    for (const ext of ["", ".js", ".mjs", ".cjs"]) {
      const p = join(base, file + ext);
      if (ext && existsSync(p)) return p;
    }
  }
  return undefined;
}

exports.handler = async (event) => {
  const run = lib.run;
  Object.assign(run, {
    canaryName: event.canaryName,
    canaryArn: event.canaryArn,
    runtimeVersion: event.runtimeVersion,
    chromium: event.chromium || null,
    steps: [],
    requests: { "2xx": 0, "4xx": 0, "5xx": 0, failed: 0 },
    log: [],
    screenshots: [],
    browser: null,
  });
  const started = Date.now();
  let status = "PASSED";
  let reason;
  lib.logger.info("Start Canary");
  try {
    const dot = event.handler.lastIndexOf(".");
    const file = event.handler.slice(0, dot);
    const fn = event.handler.slice(dot + 1);
    const path = findCanaryFile(file);
    if (!path) throw new Error(`Cannot find module '${file}' in the canary's code (nodejs/node_modules/${file}.js)`);
    run.canaryFile = path;
    const mod = path.endsWith(".mjs") ? await import(pathToFileURL(path).href) : require(path);
    const handler = mod[fn] ?? mod.default?.[fn];
    if (typeof handler !== "function") throw new Error(`${event.handler} is not a function exported by ${file}`);
    await handler();
    const failed = run.steps.find((s) => s.status === "FAILED");
    if (failed) {
      status = "FAILED";
      reason = failed.failureReason;
    }
  } catch (e) {
    status = "FAILED";
    reason = lib.reasonOf(e);
    lib.logger.error(`Canary failed: ${e instanceof Error ? e.stack || reason : reason}`);
  } finally {
    try {
      await run.browser?.browser?.close();
    } catch {}
  }
  lib.logger.info(`Canary run ${status === "PASSED" ? "successful" : "failed"}.`);
  return {
    status,
    ...(reason !== undefined ? { reason } : {}),
    startTime: started,
    endTime: Date.now(),
    steps: run.steps,
    requests: run.requests,
    log: run.log.join("\n") + "\n",
    screenshots: run.screenshots,
    browser: Boolean(run.browser),
  };
};
