// Stratus's own endpoints beside the AWS APIs: health (also at LocalStack's path, for tools written for it).
import type { IncomingMessage, ServerResponse } from "node:http";
import { IMPLEMENTED_NAMES, SERVICE_INFO } from "../services/registry.js";
import type { Runtime } from "../runtime.js";
import { VERSION } from "../version.js";

// Lambda function URLs: <url-id>.lambda-url.<region>.localhost (or .on.aws) addressed by Host.
const LAMBDA_URL_HOST = /^[a-z0-9]{32}\.lambda-url\.[a-z0-9-]+\.(?:localhost|on\.aws)(?::\d+)?$/i;

export function internalRoute(rt: Runtime, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "";
  // Function URLs (by Host or /_stratus/lambda/url/) and function code downloads (/_stratus/lambda/code/).
  if (LAMBDA_URL_HOST.test(req.headers.host ?? "") || url.startsWith("/_stratus/lambda/")) {
    // Loaded on first use, like the Lambda service itself.
    import("../services/lambda/url-invoke.js").then(({ lambdaRoute }) => lambdaRoute(rt, req, res)).catch((e: unknown) => {
      rt.logger.error("Lambda route failed", e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return true;
  }
  if (!url.startsWith("/_stratus/") && !url.startsWith("/_localstack/")) return false;
  const path = url.split("?")[0];
  // SNS's SigningCertURL, SubscribeURL and UnsubscribeURL.
  if (path.startsWith("/_stratus/sns/")) {
    // Loaded on first use, like the SNS service itself.
    import("../services/sns/routes.js").then(({ snsRoute }) => snsRoute(rt, req, res)).catch((e: unknown) => {
      rt.logger.error("SNS route failed", e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return true;
  }
  if (path === "/_stratus/health" || path === "/_localstack/health") {
    const implemented = new Set(IMPLEMENTED_NAMES);
    const services: Record<string, string> = {};
    for (const s of SERVICE_INFO) services[s.name] = implemented.has(s.name) ? "running" : "not_implemented";
    json(res, 200, {
      status: "ok",
      version: VERSION,
      edition: "stratus",
      uptime: Math.round((rt.clock.now() - rt.startedAt) / 1000),
      dataDir: rt.store.dataDir,
      store: rt.store.engine,
      auth: rt.options.auth,
      services,
    });
    return true;
  }
  json(res, 404, { error: "NotFound", message: `No Stratus endpoint at ${path}` });
  return true;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
