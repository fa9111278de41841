// Stratus's CloudWatch Synthetics library for Node.js canaries: the documented API canaries call (executeStep,
// executeHttpStep, getConfiguration/setConfig, addUserAgent, getPage/launch, the logger), recording each step,
// each HTTP response's status and the log of the run for the service to turn into artifacts and metrics.
// Written for Stratus from AWS's documentation ("Library functions available for Node.js canary scripts"); not
// AWS's code. Browser steps drive a real Chromium when Stratus found one (STRATUS_CHROMIUM or PATH) and the
// canary's code brings puppeteer(-core) or playwright(-core); otherwise they fail the run saying so.
"use strict";
const http = require("node:http");
const https = require("node:https");
const { createRequire } = require("node:module");

const run = (globalThis.__stratusSyntheticsRun ??= {
  canaryName: process.env.STRATUS_CANARY_NAME || "",
  canaryArn: "",
  runtimeVersion: "",
  chromium: null,
  canaryFile: null,
  steps: [],
  requests: { "2xx": 0, "4xx": 0, "5xx": 0, failed: 0 },
  log: [],
  screenshots: [],
  browser: null,
  userAgent: "CloudWatchSynthetics",
  config: {},
});

const LEVELS = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
let logLevel = LEVELS.INFO;
function line(level, args) {
  if (LEVELS[level] < logLevel) return;
  const text = args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.stack || String(a) : JSON.stringify(a))).join(" ");
  const l = `${new Date().toISOString()} ${level}: ${text}`;
  run.log.push(l);
  process.stdout.write(`${l}\n`);
}

const logger = {
  debug: (...a) => line("DEBUG", a),
  info: (...a) => line("INFO", a),
  log: (...a) => line("INFO", a),
  warn: (...a) => line("WARN", a),
  error: (...a) => line("ERROR", a),
};

class SyntheticsConfiguration {
  constructor() {
    this.values = {
      continueOnStepFailure: false,
      continueOnHttpStepFailure: true,
      includeRequestHeaders: false,
      includeResponseHeaders: false,
      includeRequestBody: false,
      includeResponseBody: false,
      restrictedHeaders: [],
      restrictedUrlParameters: [],
      logRequest: false,
      logResponse: false,
      screenshotOnStepStart: true,
      screenshotOnStepSuccess: true,
      screenshotOnStepFailure: true,
      harFile: true,
      failedCanaryMetric: true,
      stepSuccessMetric: true,
      stepDurationMetric: true,
      aggregatedDurationMetric: true,
      "4xxMetric": true,
      "5xxMetric": true,
      "2xxMetric": true,
      failedRequestsMetric: true,
    };
  }
  setConfig(options) {
    Object.assign(this.values, options || {});
    return this;
  }
  get(key) {
    return this.values[key];
  }
  getConfig() {
    return { ...this.values };
  }
}
const configuration = new SyntheticsConfiguration();
// The with*/disable*/enable* setters the documentation lists, each a setConfig of its key.
for (const key of Object.keys(configuration.values)) {
  const cap = key.charAt(0).toUpperCase() + key.slice(1);
  SyntheticsConfiguration.prototype[`with${cap}`] = function (v) {
    this.values[key] = v;
    return this;
  };
}
SyntheticsConfiguration.prototype.disableStepScreenshots = function () {
  return this.setConfig({ screenshotOnStepStart: false, screenshotOnStepSuccess: false, screenshotOnStepFailure: false });
};
SyntheticsConfiguration.prototype.enableStepScreenshots = function () {
  return this.setConfig({ screenshotOnStepStart: true, screenshotOnStepSuccess: true, screenshotOnStepFailure: true });
};

const reasonOf = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

async function executeStep(stepName, fn, stepConfig) {
  const step = { stepName, status: "RUNNING", startTime: Date.now() };
  run.steps.push(step);
  logger.info(`Executing step: ${stepName}`);
  const continueOnFailure = stepConfig?.continueOnStepFailure ?? configuration.get("continueOnStepFailure");
  try {
    const out = await fn(run.browser?.page);
    step.status = "PASSED";
    logger.info(`Step ${stepName} succeeded.`);
    return out;
  } catch (e) {
    step.status = "FAILED";
    step.failureReason = reasonOf(e);
    logger.error(`Step ${stepName} failed: ${step.failureReason}`);
    if (!continueOnFailure) throw e;
  } finally {
    step.endTime = Date.now();
    step.duration = step.endTime - step.startTime;
  }
}

function countStatus(code) {
  if (code >= 200 && code < 300) run.requests["2xx"]++;
  else if (code >= 400 && code < 500) run.requests["4xx"]++;
  else if (code >= 500) run.requests["5xx"]++;
  if (code >= 400) run.requests.failed++;
}

function request(options) {
  const proto = options.protocol === "https:" || options.protocol === "https" ? https : http;
  const { body, protocol, ...rest } = options;
  const headers = { "User-Agent": run.userAgent, ...(options.headers || {}) };
  return new Promise((resolve, reject) => {
    const req = proto.request({ ...rest, headers }, (res) => resolve(res));
    req.on("error", reject);
    if (body !== undefined) req.write(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    req.end();
  });
}

function urlOptions(url) {
  const u = new URL(url);
  return { protocol: u.protocol, hostname: u.hostname, port: u.port || undefined, path: `${u.pathname}${u.search}`, method: "GET" };
}

async function executeHttpStep(stepName, requestOptions, callback, stepConfig) {
  const cfg = { continueOnStepFailure: configuration.get("continueOnHttpStepFailure"), ...(stepConfig || {}) };
  return executeStep(
    stepName,
    async () => {
      let res;
      try {
        res = await request(typeof requestOptions === "string" ? urlOptions(requestOptions) : requestOptions);
      } catch (e) {
        run.requests.failed++;
        throw e;
      }
      countStatus(res.statusCode);
      const step = run.steps[run.steps.length - 1];
      if (step) step.statusCode = res.statusCode;
      logger.info(`Response: ${res.statusCode} ${res.statusMessage || ""}`.trim());
      if (callback) return callback(res);
      res.resume();
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`${res.statusCode} ${res.statusMessage || ""}`.trim());
    },
    cfg,
  );
}

// ---- browsers: a real Chromium through the canary's own puppeteer/playwright, else a clear failure.
const NO_CHROMIUM =
  "Stratus found no Chromium on this machine (set STRATUS_CHROMIUM, or put chromium, chromium-browser or google-chrome on the PATH): browser steps cannot run";

function canaryRequire(names) {
  const from = run.canaryFile ? createRequire(run.canaryFile) : require;
  for (const n of names) {
    try {
      return from(n);
    } catch {}
  }
  return undefined;
}

async function launch(options) {
  if (!run.chromium) throw new Error(NO_CHROMIUM);
  const puppeteer = canaryRequire(["puppeteer-core", "puppeteer"]);
  const playwright = puppeteer ? undefined : canaryRequire(["playwright-core", "playwright"]);
  if (!puppeteer && !playwright)
    throw new Error(`Stratus found Chromium at ${run.chromium}, but the canary's code brings no puppeteer-core, puppeteer, playwright-core or playwright to drive it`);
  const launchOptions = { headless: true, ...(options || {}), executablePath: run.chromium, args: ["--no-sandbox", ...((options && options.args) || [])] };
  const browser = puppeteer ? await puppeteer.launch(launchOptions) : await playwright.chromium.launch(launchOptions);
  run.browser = { browser, page: undefined };
  return browser;
}

async function getPage() {
  if (run.browser?.page) return run.browser.page;
  const browser = run.browser?.browser ?? (await launch());
  const page = await browser.newPage();
  run.browser.page = page;
  return page;
}

async function takeScreenshot(stepName, suffix) {
  const page = run.browser?.page;
  if (!page) throw new Error(NO_CHROMIUM);
  const data = await page.screenshot();
  const name = `${String(run.screenshots.length + 1).padStart(2, "0")}-${stepName}${suffix ? `-${suffix}` : ""}.png`;
  run.screenshots.push({ name, base64: Buffer.from(data).toString("base64") });
}

async function addUserAgent(page, userAgentString) {
  run.userAgent = `${run.userAgent} ${userAgentString}`;
  if (page && typeof page.setUserAgent === "function") await page.setUserAgent(run.userAgent);
}

const synthetics = {
  executeStep,
  executeHttpStep,
  getConfiguration: () => configuration,
  setConfig: (o) => configuration.setConfig(o),
  addUserAgent,
  getPage,
  launch,
  newPage: async (browser) => (await (browser ?? (await launch())).newPage()),
  close: async () => run.browser?.browser?.close(),
  takeScreenshot,
  getDefaultLaunchOptions: () => ({ headless: true, executablePath: run.chromium }),
  getCanaryName: () => run.canaryName,
  getCanaryArn: () => run.canaryArn,
  getRuntimeVersion: () => run.runtimeVersion,
  getCanaryUserAgentString: () => run.userAgent,
  getLogLevel: () => Object.keys(LEVELS).find((k) => LEVELS[k] === logLevel),
  setLogLevel: (l) => {
    logLevel = typeof l === "number" ? l : (LEVELS[String(l).toUpperCase()] ?? logLevel);
  },
};

module.exports = { synthetics, logger, run, NO_CHROMIUM, reasonOf };
