// The request body: buffered up to the size limit (past it the rest is drained and the call refused with 413 in
// the service's protocol), or — for a service quirk that streams (S3's PutObject/UploadPart) — handed on as a stream.
import { CommonErrors } from "../core/errors.js";
import { quirkOpenBody } from "./quirks.js";
import { ClientGone, type Exchange } from "./exchange.js";

export function readBody(x: Exchange): Promise<void> | void {
  if (x.bodyRead) return;
  if (quirkOpenBody(x)) {
    x.bodyRead = true;
    return;
  }
  return bufferBody(x);
}

// A service may declare a larger limit than the server's general one (Lambda's 50 MB zips as base64 JSON).
const limitFor = (x: Exchange) => Math.max(x.runtime.options.maxBodyBytes, x.service?.declared.bodyLimit ?? 0);

/** Reads the whole body into x.req.body (once), within the size limit. */
export function bufferBody(x: Exchange): Promise<void> | void {
  if (x.bodyRead) return;
  x.bodyRead = true;
  const limit = limitFor(x);
  const declared = Number(x.raw.headers["content-length"] ?? -1);
  if (declared === 0 || (x.raw.method === "GET" && declared < 0 && !x.raw.headers["transfer-encoding"])) return;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    x.raw.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    x.raw.on("end", () => {
      if (tooLarge) {
        x.bodyTooLarge = true;
        return resolve();
      }
      x.req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      resolve();
    });
    // The client went away mid-body (truncated upload, closed socket): there is no one to answer.
    x.raw.on("error", () => reject(new ClientGone()));
  });
}

export { ClientGone };

export function enforceBodyLimit(x: Exchange): void {
  if (x.bodyTooLarge) throw CommonErrors.requestTooLarge(limitFor(x));
}
