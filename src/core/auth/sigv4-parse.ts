// Reads the SigV4 fields a request carries, from the Authorization header or a presigned query string.
import type { HttpRequest } from "../http.js";

export interface SigV4Fields {
  algorithm: string;
  accessKeyId: string;
  /** The Credential value as sent: keyid/date/region/service/aws4_request. */
  credential: string;
  /** yyyymmdd of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** The fifth credential element; must be aws4_request. */
  terminator: string;
  /** How many slash-delimited elements the credential has (AWS wants exactly 5). */
  credentialParts: number;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date / Date header / presigned X-Amz-Date, as sent. */
  amzDate?: string;
  sessionToken?: string;
  presigned: boolean;
  /** Presigned: X-Amz-Expires as sent. */
  expires?: number;
  expiresRaw?: string;
  /** Which required parts were missing (the request is then refused with IncompleteSignature when verifying). */
  missing: string[];
  /** Header form: the first comma-separated part that is not key=value (AWS names it in IncompleteSignature). */
  invalidPair?: string;
  /** Header form: the Authorization header as sent, for error messages. */
  authorization?: string;
  /** Both a presigned query and an Authorization header: AWS refuses the request. */
  both?: boolean;
}

function queryParams(query: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!query) return m;
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (!k.startsWith("X-Amz-") && !k.startsWith("x-amz-")) continue;
    try {
      m.set(decodeURIComponent(k), decodeURIComponent((eq < 0 ? "" : pair.slice(eq + 1)).replace(/\+/g, " ")));
    } catch {
      // not a SigV4 parameter we can read; verification will fail on it
    }
  }
  return m;
}

function splitCredential(cred: string) {
  const parts = cred.split("/");
  const [accessKeyId = "", scopeDate = "", region = "", service = "", terminator = ""] = parts;
  return { accessKeyId, scopeDate, region, service, terminator, credentialParts: cred ? parts.length : 0 };
}

const hasQuerySig = (query: string) => query.includes("X-Amz-Credential") || query.includes("X-Amz-Signature") || query.includes("X-Amz-Algorithm");

/** The SigV4 fields, or undefined when the request carries no SigV4 signature at all. */
export function parseSigV4(req: HttpRequest): SigV4Fields | undefined {
  const auth = req.headers["authorization"];
  if (auth && auth.startsWith("AWS4-")) {
    const sp = auth.indexOf(" ");
    const algorithm = sp < 0 ? auth : auth.slice(0, sp);
    const parts = new Map<string, string>();
    let invalidPair: string | undefined;
    for (const raw of (sp < 0 ? "" : auth.slice(sp + 1)).split(",")) {
      const p = raw.trim();
      if (!p) continue;
      const eq = p.indexOf("=");
      if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
      else invalidPair ??= p;
    }
    const missing = ["Credential", "Signature", "SignedHeaders"].filter((k) => !parts.get(k));
    const credential = parts.get("Credential") ?? "";
    const c = splitCredential(credential);
    return {
      algorithm,
      credential,
      ...c,
      signedHeaders: (parts.get("SignedHeaders") ?? "").split(";").filter(Boolean),
      signature: parts.get("Signature") ?? "",
      amzDate: req.headers["x-amz-date"] ?? req.headers["date"],
      sessionToken: req.headers["x-amz-security-token"],
      presigned: false,
      missing,
      invalidPair,
      authorization: auth,
      both: req.query.includes("X-Amz-Algorithm="),
    };
  }
  if (hasQuerySig(req.query)) {
    const q = queryParams(req.query);
    const credential = q.get("X-Amz-Credential") ?? "";
    const c = splitCredential(credential);
    const missing = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"].filter((k) => !q.get(k));
    const expires = q.get("X-Amz-Expires");
    return {
      algorithm: q.get("X-Amz-Algorithm") ?? "",
      credential,
      ...c,
      signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "").split(";").filter(Boolean),
      signature: q.get("X-Amz-Signature") ?? "",
      amzDate: q.get("X-Amz-Date"),
      sessionToken: q.get("X-Amz-Security-Token"),
      presigned: true,
      expires: expires === undefined ? undefined : Number(expires),
      expiresRaw: expires,
      missing,
    };
  }
  return undefined;
}
