// The request body: buffered up to the size limit (past it the rest is drained and the call refused with 413 in
// the service's protocol), or — for a service quirk that streams (S3's PutObject/UploadPart) — handed on as a stream.
import { CommonErrors } from "../core/errors.js";
import { nodeZlib } from "../core/lazy.js";
import { quirkOpenBody } from "./quirks.js";
import { ClientGone, type Exchange } from "./exchange.js";

export function readBody(x: Exchange): Promise<void> | void {
  if (!x.bodyRead) {
    if (quirkOpenBody(x)) {
      x.bodyRead = true;
      return;
    }
    const reading = bufferBody(x);
    if (reading) return reading.then(() => decodeBody(x));
  }
  return decodeBody(x);
}

// Protocols where Content-Encoding can only be a transport encoding of the request document; in the REST protocols
// it describes the content itself (S3 stores an object's Content-Encoding), so it stays as sent there.
const DOCUMENT_PROTOCOLS = new Set(["json", "smithy-rpc-v2-cbor", "query", "ec2"]);

/**
 * A gzip'd request document, for every service: the SDKs compress an operation's body past 10 KiB where the model
 * says `requestcompression` (CloudWatch's PutMetricData). Decoded off the event loop into `req.cache.gunzipped`, which
 * the codecs read (protocols/shared.ts requestBody); `req.body` keeps the bytes as sent, which SigV4 signed. A body
 * that is not gzip is refused with 400, one inflating past the size limit with 413.
 */
function decodeBody(x: Exchange): Promise<void> | void {
  const req = x.req;
  const enc = req.headers["content-encoding"];
  if (!enc || x.bodyTooLarge || !req.body?.length || !/\bgzip\b/i.test(enc) || !x.codec || !DOCUMENT_PROTOCOLS.has(x.codec.name)) return;
  const cache = (req.cache ??= {});
  if (cache.gunzipped) return;
  const limit = limitFor(x);
  return new Promise((resolve, reject) => {
    nodeZlib().gunzip(req.body, { maxOutputLength: limit }, (err, out) => {
      if (!err) {
        cache.gunzipped = out;
        return resolve();
      }
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return reject(CommonErrors.requestTooLarge(limit));
      reject(CommonErrors.serialization("The request body is not valid gzip data, as its Content-Encoding says."));
    });
  });
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
  // A declared length within the limit is read straight into one buffer of that size: no chunk list, no concat copy.
  if (declared > 0 && declared <= limit && !x.raw.headers["transfer-encoding"]) return readDeclared(x, declared);
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

/**
 * The body of a request that declared its Content-Length (Node's parser delivers exactly that many bytes, or an
 * error): a body in one chunk is kept as it came, a longer one is copied once into a buffer of the declared size.
 */
function readDeclared(x: Exchange, declared: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let body: Buffer | undefined;
    let size = 0;
    x.raw.on("data", (c: Buffer) => {
      if (!body) {
        if (c.length === declared) {
          body = c;
          size = declared;
          return;
        }
        body = Buffer.allocUnsafe(declared);
      }
      size += c.copy(body, size);
    });
    x.raw.on("end", () => {
      // Fewer bytes than declared cannot reach here (the parser reports an aborted request), but stay exact if it did.
      x.req.body = body ? (size === body.length ? body : body.subarray(0, size)) : Buffer.alloc(0);
      resolve();
    });
    x.raw.on("error", () => reject(new ClientGone()));
  });
}

export { ClientGone };

export function enforceBodyLimit(x: Exchange): void {
  if (x.bodyTooLarge) throw CommonErrors.requestTooLarge(limitFor(x));
}
