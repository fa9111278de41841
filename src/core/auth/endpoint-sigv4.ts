// A SigV4-signed request to an HTTP endpoint a service serves beside its API (Lambda function URLs with AWS_IAM,
// API Gateway's execute-api with AWS_IAM methods and routes): with `--auth sigv4` the signature is verified as the
// AWS APIs verify theirs, scoped to the endpoint's service name; with `--auth none` only its presence counts, and
// the caller is the key's principal where Stratus knows the key.
import type { HttpRequest } from "../http.js";
import type { Principal } from "../identity.js";
import { accountForUnknownKey, rootPrincipal } from "../identity.js";
import type { ServiceHost } from "../service.js";
import { parseSigV4 } from "./sigv4-parse.js";
import { verifySigV4 } from "./sigv4-verify.js";

export interface SignedCaller {
  principal: Principal;
  accessKeyId: string;
}

/**
 * The caller of a signed request, or undefined when the request carries no SigV4 signature. Throws the signature
 * check's ServiceError (InvalidSignatureException, UnrecognizedClientException, ExpiredToken…) when it does not verify.
 */
export function signedCaller(
  rt: Pick<ServiceHost, "options" | "clock" | "credentials">,
  http: HttpRequest,
  service: string,
  rawHeaders?: string[],
): SignedCaller | undefined {
  const sig = parseSigV4(http);
  if (!sig) return undefined;
  if (rt.options.auth === "sigv4") {
    const cred = verifySigV4(http, sig, {
      family: "rest-json",
      now: rt.clock.now(),
      pathMode: "double",
      s3Payload: false,
      serviceMatches: (s) => s === service,
      lookup: (akid) => rt.credentials.forSignature(akid),
      rawHeaders,
      ignoreTokenFor: (c) => rt.credentials.isRoot(c),
    });
    return { principal: cred.principal, accessKeyId: sig.accessKeyId };
  }
  const known = rt.credentials.find(sig.accessKeyId)?.principal;
  return { principal: known ?? rootPrincipal(accountForUnknownKey(sig.accessKeyId), sig.accessKeyId), accessKeyId: sig.accessKeyId };
}
