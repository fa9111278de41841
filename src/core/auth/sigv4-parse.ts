// Reads the SigV4 fields a request carries, from the Authorization header or a presigned query string.
import type { HttpRequest } from "../../protocols/types.js";

export interface SigV4Fields {
  algorithm: string;
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Date / Date header / presigned X-Amz-Date, as sent. */
  amzDate?: string;
  sessionToken?: string;
  presigned: boolean;
  /** Presigned: X-Amz-Expires seconds. */
  expires?: number;
  /** Which required parts were missing (the request is then refused with IncompleteSignature when verifying). */
  missing: string[];
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
  const [accessKeyId = "", scopeDate = "", region = "", service = "", terminator = ""] = cred.split("/");
  return { accessKeyId, scopeDate, region, service, terminator };
}

/** The SigV4 fields, or undefined when the request carries no SigV4 signature at all. */
export function parseSigV4(req: HttpRequest): SigV4Fields | undefined {
  const auth = req.headers["authorization"];
  if (auth && auth.startsWith("AWS4-")) {
    const sp = auth.indexOf(" ");
    const algorithm = sp < 0 ? auth : auth.slice(0, sp);
    const parts = new Map<string, string>();
    for (const p of (sp < 0 ? "" : auth.slice(sp + 1)).split(",")) {
      const eq = p.indexOf("=");
      if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
    }
    const missing = ["Credential", "SignedHeaders", "Signature"].filter((k) => !parts.has(k));
    const c = splitCredential(parts.get("Credential") ?? "");
    return {
      algorithm,
      accessKeyId: c.accessKeyId,
      scopeDate: c.scopeDate,
      region: c.region,
      service: c.service,
      signedHeaders: (parts.get("SignedHeaders") ?? "").split(";").filter(Boolean),
      signature: parts.get("Signature") ?? "",
      amzDate: req.headers["x-amz-date"] ?? req.headers["date"],
      sessionToken: req.headers["x-amz-security-token"],
      presigned: false,
      missing,
    };
  }
  if (req.query.includes("X-Amz-Credential") || req.query.includes("X-Amz-Signature")) {
    const q = queryParams(req.query);
    const c = splitCredential(q.get("X-Amz-Credential") ?? "");
    const missing = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"].filter((k) => !q.has(k));
    const expires = q.get("X-Amz-Expires");
    return {
      algorithm: q.get("X-Amz-Algorithm") ?? "",
      accessKeyId: c.accessKeyId,
      scopeDate: c.scopeDate,
      region: c.region,
      service: c.service,
      signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "").split(";").filter(Boolean),
      signature: q.get("X-Amz-Signature") ?? "",
      amzDate: q.get("X-Amz-Date"),
      sessionToken: q.get("X-Amz-Security-Token"),
      presigned: true,
      expires: expires === undefined ? undefined : Number(expires),
      missing,
    };
  }
  return undefined;
}
