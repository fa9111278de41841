// The presigned URLs CloudFormation hands out (presign.ts), served as S3 serves AWS's: a PUT with a valid
// signature before its expiry is stored and answered 200 with the body's ETag; anything else is S3's 403 XML
// (AccessDenied for an unsigned or expired URL, SignatureDoesNotMatch for a tampered one or a handle signalled
// with a Content-Type). What is stored is a custom resource's response (custom.ts waits for it) or a wait
// condition handle's signal (wait-condition.ts counts them).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceHost } from "../../core/service.js";
import { type HandleRec, type SignalRec, signalState, verify } from "./presign.js";

/** S3's limit would be 5 GB; a custom resource response over 4096 bytes fails the resource (custom.ts). */
const MAX_BODY = 1024 * 1024;

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export default async function cloudformationRoute(host: ServiceHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  const body = await readBody(req);
  if (req.method !== "PUT")
    return s3Error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.", {
      Method: req.method ?? "",
      ResourceType: "OBJECT",
    });
  if (body === undefined) return s3Error(res, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
  const v = verify(host, url.pathname, url.searchParams, req.headers["content-type"] ?? "", host.clock.now());
  if (v.kind === "denied") {
    const extra: Record<string, string> = v.expired
      ? { "X-Amz-Expires": url.searchParams.get("X-Amz-Expires") ?? "", Expires: v.expired.expires.toISOString(), ServerTime: v.expired.now.toISOString() }
      : {};
    return s3Error(res, 403, v.code, v.message, extra);
  }
  const [, , , region, account] = v.stackId.split(":");
  const tables = signalState.at(host, account, region);
  if (v.kind === "response") {
    const key = `${v.stackId}\u0000${v.logicalId}\u0000${v.requestId}`;
    const rec = tables.customRequests.get(key);
    // The first response counts; later PUTs overwrite an object CloudFormation has already read.
    if (rec && rec.response === undefined) tables.customRequests.put(key, { ...rec, response: body.toString("utf8") });
  } else {
    const key = `${v.stackId}/${v.logicalId}`;
    const rec = tables.handles.get(key);
    if (rec) tables.handles.put(key, addSignal(rec, body.toString("utf8")));
  }
  res.writeHead(200, {
    ETag: `"${createHash("md5").update(body).digest("hex")}"`,
    "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "content-length": 0,
  });
  res.end();
}

/** A handle's signal: `{"Status":"SUCCESS"|"FAILURE","Reason":…,"UniqueId":…,"Data":…}`; anything else is unparsable. */
function addSignal(rec: HandleRec, text: string): HandleRec {
  let signal: SignalRec | undefined;
  try {
    const v = JSON.parse(text) as SignalRec;
    if (v && typeof v === "object" && (v.Status === "SUCCESS" || v.Status === "FAILURE") && typeof v.UniqueId === "string" && v.UniqueId)
      signal = { Status: v.Status, Reason: v.Reason, UniqueId: v.UniqueId, Data: v.Data };
  } catch {}
  if (!signal) return { ...rec, unparsable: (rec.unparsable ?? 0) + 1 };
  return { ...rec, signals: { ...rec.signals, [signal.UniqueId as string]: signal } };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const more = Object.entries(extra)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join("");
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message>${more}<RequestId>${requestId}</RequestId><HostId>${Buffer.from(randomUUID()).toString("base64")}</HostId></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "x-amz-request-id": requestId, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
