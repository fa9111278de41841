// The X-Ray SDKs' centralized sampling calls the daemon, unsigned: `POST /GetSamplingRules` and
// `POST /SamplingTargets` with a JSON body (aws-xray-sdk-core's service_connector), and the daemon forwards them,
// signed, to X-Ray. So that an SDK pointed straight at Stratus (AWS_XRAY_DAEMON_ADDRESS=tcp:127.0.0.1:<port> …) is
// answered as the daemon would answer it, X-Ray claims these two unmarked requests (no signature scope, no service
// Host): exactly these paths, POST, which no other service's unsigned request takes (S3's bucket names cannot hold
// capitals). With --auth sigv4 they are refused as any unsigned request is. Loaded with the server: keep it tiny.
import type { Quirk } from "../../../core/service.js";

const DAEMON_PATHS = new Set(["/GetSamplingRules", "/SamplingTargets"]);

export const xrayQuirk: Quirk = {
  claimUnmarked: (req) => req.method === "POST" && DAEMON_PATHS.has(req.path),
};
