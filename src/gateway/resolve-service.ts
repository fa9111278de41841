// Which service a request is for: X-Amz-Target, the CBOR path, the SigV4 scope, the Host, or Action=.
import { ServiceError } from "../core/errors.js";
import { parseSigV4 } from "../core/auth/sigv4-parse.js";
import { codecFor, pickProtocol } from "../protocols/index.js";
import { parseForm } from "../protocols/query.js";
import type { Catalog } from "../core/catalog.js";
import type { ServiceInfo } from "../core/service.js";
import { bufferBody } from "./read-body.js";
import type { Exchange } from "./exchange.js";

const HOST_PATTERNS = [
  /^([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/, // <svc>.<region>.amazonaws.com
  /^([a-z0-9-]+)\.amazonaws\.com$/, // global endpoints: iam.amazonaws.com, sts.amazonaws.com
  /^([a-z0-9-]+)(?:\.([a-z]{2}(?:-[a-z]+)+-\d+))?\.localhost\.localstack\.cloud$/,
  /^([a-z0-9-]+)(?:\.([a-z]{2}(?:-[a-z]+)+-\d+))?\.localhost$/,
];

function fromHost(catalog: Catalog, host: string | undefined, path: string): { service?: ServiceInfo; region?: string } {
  if (!host) return {};
  const name = host.replace(/:\d+$/, "").toLowerCase();
  for (const re of HOST_PATTERNS) {
    const m = re.exec(name);
    if (m) {
      // An operation's endpoint hostPrefix (CloudWatch Logs' StartLiveTail: `stream-`) is put before the host by SDKs.
      const service = catalog.byEndpointPrefix(m[1], path) ?? (m[1].startsWith("stream-") ? catalog.byEndpointPrefix(m[1].slice(7), path) : undefined);
      if (service) return { service, region: m[2] };
    }
  }
  return {};
}

function fromAction(x: Exchange): ServiceInfo | undefined {
  const ct = x.req.headers["content-type"] ?? "";
  let action = /(?:^|&)Action=([^&]*)/.exec(x.req.query)?.[1];
  if (!action && ct.startsWith("application/x-www-form-urlencoded")) action = parseForm(x.req.body.toString("utf8")).get("Action");
  return action ? x.runtime.catalog.byQueryAction(decodeURIComponent(action)) : undefined;
}

/** The host claims of services that declared one (S3's virtual-hosted buckets), asked before other routing. */
function claimedByHost(x: Exchange): { service: ServiceInfo; region?: string } | undefined {
  for (const service of x.runtime.catalog.hostClaimants) {
    const claim = service.declared.quirk!.claimHost!(x.req);
    if (claim) return { service, region: claim.region };
  }
  return undefined;
}

function claimedUnmarked(x: Exchange): ServiceInfo | undefined {
  return x.runtime.catalog.unmarkedClaimants.find((s) => s.declared.quirk!.claimUnmarked!(x.req));
}

export function resolveService(x: Exchange): void | Promise<void> {
  const h = x.req.headers;
  const catalog = x.runtime.catalog;
  x.sig = parseSigV4(x.req);
  let service: ServiceInfo | undefined;
  const target = h["x-amz-target"];
  if (target) service = catalog.byTargetPrefix(target.slice(0, target.lastIndexOf(".")));
  if (!service && h["smithy-protocol"] === "rpc-v2-cbor") {
    const m = /^\/service\/([^/]+)\/operation\/[^/]+$/.exec(x.req.path);
    if (m) service = catalog.byTargetPrefix(m[1]);
  }
  // A Host a service claims (an S3 virtual-hosted bucket): the path is rewritten to path style before routing.
  const claimed = service ? undefined : claimedByHost(x);
  if (claimed) service = claimed.service;
  if (!service && x.sig?.service) service = catalog.bySigningName(x.sig.service, x.req.path);
  const host = claimed ?? fromHost(catalog, h["host"], x.req.path);
  service ??= (host as { service?: ServiceInfo }).service;
  if (!service && isUnreadForm(x)) {
    // Action= may be only in a form body, which is read after the service is known: read it now.
    return Promise.resolve(bufferBody(x)).then(() => finish(x, fromAction(x) ?? claimedUnmarked(x), host.region));
  }
  service ??= fromAction(x);
  service ??= claimedUnmarked(x);
  return finish(x, service, host.region);
}

function isUnreadForm(x: Exchange): boolean {
  return (
    x.req.body.length === 0 && !x.req.stream && x.req.method === "POST" && (x.req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
  );
}

function finish(x: Exchange, service: ServiceInfo | undefined, hostRegion: string | undefined): void | Promise<void> {
  if (!service) {
    throw new ServiceError(
      "UnknownService",
      "Stratus could not tell which AWS service this request is for (no X-Amz-Target, SigV4 scope, service Host or Action).",
      400,
    );
  }
  x.service = service;
  x.region = x.sig?.region || hostRegion || x.runtime.options.defaultRegion;
  x.model = x.runtime.model(service.name);
  const codec = codecFor(pickProtocol(service.protocols, x.req));
  if (!(codec instanceof Promise)) x.codec = codec;
  else
    return codec.then((c) => {
      x.codec = c;
    });
}
