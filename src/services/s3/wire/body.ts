// S3's upload bodies as streams: PutObject/UploadPart content (plain or aws-chunked, with per-chunk signatures and
// trailing checksums) reaches the handler as a Readable, checked as it flows (size, x-amz-content-sha256, checksums).
import { nodeCrypto } from "../../../core/lazy.js";
import type { IncomingMessage } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import { ServiceError } from "../../../core/errors.js";
import { ChunkDecoder } from "../../../core/auth/chunked.js";
import { AuthErrors } from "../../../core/auth/errors.js";
import { signingKey } from "../../../core/auth/sigv4-verify.js";
import { checksummer, type ChecksumAlgorithm, type Checksummer } from "../../../core/blobs.js";
import "../../../core/crc.js"; // registers CRC32, CRC32C and CRC64NVME with the blob store
import type { ServiceModel } from "../../../core/model.js";
import { ClientGone } from "../../../core/exchange.js";
import type { Exchange } from "../../../core/exchange.js";

/** S3's limit for one PUT (a single-part object or one part). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

const CHECKSUMS: Record<string, { alg: ChecksumAlgorithm; member: string; bytes: number }> = {
  "x-amz-checksum-crc32": { alg: "CRC32", member: "ChecksumCRC32", bytes: 4 },
  "x-amz-checksum-crc32c": { alg: "CRC32C", member: "ChecksumCRC32C", bytes: 4 },
  "x-amz-checksum-crc64nvme": { alg: "CRC64NVME", member: "ChecksumCRC64NVME", bytes: 8 },
  "x-amz-checksum-sha1": { alg: "SHA1", member: "ChecksumSHA1", bytes: 20 },
  "x-amz-checksum-sha256": { alg: "SHA256", member: "ChecksumSHA256", bytes: 32 },
};

const invalidChecksum = (name: string) => new ServiceError("InvalidRequest", `Value for ${name} header is invalid.`, 400);
const badDigest = (alg: string) => new ServiceError("BadDigest", `The ${alg} you specified did not match the calculated checksum.`, 400);

function validChecksumValue(name: string, value: string): boolean {
  const spec = CHECKSUMS[name];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, "base64").length === spec.bytes;
}

const streamingOps = new WeakMap<ServiceModel, Set<string>>();
/** Operations whose input payload is a streaming blob (the model's `streaming` flag): S3's PutObject, UploadPart. */
export function streamsInput(model: ServiceModel, operation: string): boolean {
  let ops = streamingOps.get(model);
  if (!ops) {
    ops = new Set();
    for (const [name, op] of Object.entries(model.operations)) {
      const shape = op.input ? model.shapes[op.input.shape] : undefined;
      const ref = shape?.payload ? shape.members?.[shape.payload] : undefined;
      if (ref && model.shapes[ref.shape]?.type === "blob" && (ref.streaming || model.shapes[ref.shape].streaming)) ops.add(name);
    }
    streamingOps.set(model, ops);
  }
  return ops.has(operation);
}

const isChunked = (h: Record<string, string>) =>
  (h["content-encoding"] ?? "")
    .toLowerCase()
    .split(",")
    .some((e) => e.trim() === "aws-chunked") || (h["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");

/** Takes the body of a streaming-payload operation as a stream; false leaves it to the buffered path. */
export function openUploadBody(x: Exchange): boolean {
  const req = x.req;
  if (req.method !== "PUT" && req.method !== "POST") return false;
  let op: string;
  try {
    op = x.codec!.resolveOperation(req, x.model!);
  } catch {
    return false; // routing fails again after authentication, in order
  }
  if (!streamsInput(x.model!, op)) return false;
  const h = req.headers;
  const chunked = isChunked(h);
  const lengthText = chunked ? h["x-amz-decoded-content-length"] : h["content-length"];
  if (lengthText === undefined || !/^\d+$/.test(lengthText)) {
    throw new ServiceError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411);
  }
  const size = Number(lengthText);
  if (size > MAX_PUT_BYTES) {
    throw new ServiceError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, {
      fields: { ProposedSize: size, MaxSizeAllowed: MAX_PUT_BYTES },
    });
  }
  // Checksums sent as headers are checked against the content; one announced in x-amz-trailer comes after it.
  const expected: { name: string; value?: string; sum: Checksummer }[] = [];
  for (const name of Object.keys(CHECKSUMS)) {
    const v = h[name];
    if (v === undefined) continue;
    if (!validChecksumValue(name, v)) throw invalidChecksum(name);
    expected.push({ name, value: v, sum: checksummer(CHECKSUMS[name].alg)! });
  }
  const trailer = (h["x-amz-trailer"] ?? "").trim().toLowerCase();
  if (trailer) {
    if (!chunked || !CHECKSUMS[trailer]) throw new ServiceError("InvalidRequest", `The value specified in the x-amz-trailer header is not supported`, 400);
    expected.push({ name: trailer, sum: checksummer(CHECKSUMS[trailer].alg)! });
  }
  const observe = expected.length ? (piece: Buffer) => expected.forEach((e) => e.sum.update(piece)) : undefined;
  const verifyChecksums = () => {
    for (const e of expected) if (e.value !== undefined && e.sum.digest() !== e.value) throw badDigest(CHECKSUMS[e.name].alg);
  };

  let stream: Transform;
  if (chunked) {
    const decoder = new ChunkDecoder({
      decodedLength: size,
      observe,
      onTrailers: (trailers) => {
        for (const e of expected) {
          if (e.value !== undefined) continue;
          const v = trailers[e.name];
          if (v === undefined) throw new ServiceError("InvalidRequest", `The trailing checksum ${e.name} announced in x-amz-trailer was not sent.`, 400);
          if (!validChecksumValue(e.name, v)) throw invalidChecksum(e.name);
          e.value = v;
          // The handler sees the trailing value as its input member once the body has been read.
          if (x.input) x.input[CHECKSUMS[e.name].member] = v;
        }
        verifyChecksums();
      },
    });
    stream = decoder;
    (req.cache ??= {}).chunkDecoder = decoder;
  } else {
    const sha = h["x-amz-content-sha256"];
    const signed = /^[0-9a-f]{64}$/.test(sha ?? "") ? sha : undefined;
    if (size <= SMALL_BODY) {
      req.stream = new SmallBody(size, signed, observe, verifyChecksums);
      return true;
    }
    stream = new BodyMeter(size, signed, observe, verifyChecksums);
  }
  // Bytes start to flow after authentication (afterAuthUpload), once chunk signatures can be checked.
  req.stream = stream;
  return true;
}

/** What a plain body must pass once all of it arrived: its declared length, then a signed x-amz-content-sha256. */
function checkPlain(seen: number, size: number, sha: string | undefined, sha256Hex: () => string): void {
  if (seen !== size) throw new ServiceError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400);
  if (!sha) return;
  const got = sha256Hex();
  if (got !== sha) throw AuthErrors.contentSha256Mismatch(sha, got);
}

/**
 * The largest plain body taken whole (SmallBody) rather than streamed: the blob store keeps content up to this size as
 * a row (core/blobs.ts INLINE_MAX), which it holds in memory anyway.
 */
export const SMALL_BODY = 64 * 1024;

/**
 * A plain body up to SMALL_BODY bytes: read whole from the request once authenticated, then checked as BodyMeter checks
 * a stream (length, signed x-amz-content-sha256, header checksums), and handed to the handler as one chunk — or the
 * check's error, where a stream would have raised it: when the handler reads the content. A 1 KB PutObject through a
 * pipe, a Transform and a stream's async iterator cost more CPU and garbage than everything S3 then does with it.
 */
class SmallBody implements AsyncIterable<Buffer> {
  private content: Promise<Buffer> | undefined;
  constructor(
    private readonly size: number,
    private readonly sha?: string,
    private readonly observe?: (b: Buffer) => void,
    private readonly done?: () => void,
  ) {}

  /** Starts reading the request's body (after authentication). */
  read(raw: IncomingMessage): void {
    this.content = new Promise<Buffer>((resolve, reject) => {
      let body: Buffer | undefined;
      let seen = 0;
      raw.on("data", (c: Buffer) => {
        if (!body && c.length === this.size) body = c;
        else {
          body ??= Buffer.allocUnsafe(this.size);
          if (seen + c.length <= this.size) c.copy(body, seen);
        }
        seen += c.length;
      });
      raw.on("end", () => {
        try {
          resolve(this.check(body ?? Buffer.alloc(0), seen));
        } catch (e) {
          reject(e);
        }
      });
      // The client went away mid-body: there is no one to answer (the gateway drops ClientGone quietly).
      const gone = () => {
        if (!raw.complete) reject(new ClientGone());
      };
      raw.on("aborted", gone);
      raw.on("error", gone);
    });
    // Nobody may read it (the handler failed first): its failure is then nobody's to report.
    this.content.catch(() => {});
  }

  private check(body: Buffer, seen: number): Buffer {
    checkPlain(seen, this.size, this.sha, () => nodeCrypto().createHash("sha256").update(body).digest("hex"));
    this.observe?.(body);
    this.done?.();
    return body;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let given = false;
    return {
      next: async () => {
        if (given) return { done: true, value: undefined };
        given = true;
        if (!this.content) throw new Error("the request body was not read");
        return { done: false, value: await this.content };
      },
    };
  }
}

/**
 * raw → stream without pipeline(): destroying the IncomingMessage would cut the socket before the error
 * could be answered. A client that goes away surfaces as ClientGone, which the gateway drops quietly.
 */
function relay(raw: IncomingMessage, stream: Transform): void {
  raw.pipe(stream);
  const gone = () => {
    if (!raw.complete) stream.destroy(new ClientGone());
  };
  raw.on("aborted", gone);
  raw.on("error", gone);
  stream.on("error", () => {
    raw.unpipe(stream);
    raw.resume(); // drain what is left so the error can still be answered on this connection
  });
}

/** Plain content: counts it against Content-Length, checks a signed x-amz-content-sha256 and header checksums. */
class BodyMeter extends Transform {
  private seen = 0;
  private readonly hash;
  constructor(
    private readonly size: number,
    private readonly sha?: string,
    private readonly observe?: (b: Buffer) => void,
    private readonly done?: () => void,
  ) {
    super();
    this.hash = sha ? nodeCrypto().createHash("sha256") : undefined;
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    this.hash?.update(chunk);
    this.observe?.(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    try {
      checkPlain(this.seen, this.size, this.sha, () => this.hash!.digest("hex"));
      this.done?.();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/**
 * After authentication: signed chunks chain from the verified seed signature; and the handler sees the decoded
 * length as Content-Length and the stored Content-Encoding without aws-chunked, as S3 stores it.
 */
export function afterAuthUpload(x: Exchange): void {
  const stream = x.req.stream;
  if (!stream) return;
  if (stream instanceof SmallBody) return stream.read(x.raw);
  const decoder = x.req.cache?.chunkDecoder as ChunkDecoder | undefined;
  if (decoder) setupChunked(x, decoder);
  relay(x.raw, stream as Transform);
}

function setupChunked(x: Exchange, decoder: ChunkDecoder): void {
  const h = x.req.headers;
  const sig = x.sig;
  if (x.runtime.options.auth === "sigv4" && sig && !sig.presigned && h["x-amz-content-sha256"]?.startsWith("STREAMING-AWS4-HMAC-SHA256-")) {
    decoder.signing = {
      key: signingKey(x.secretAccessKey ?? "", sig.scopeDate, sig.region, sig.service),
      date: sig.amzDate ?? "",
      scope: `${sig.scopeDate}/${sig.region}/${sig.service}/aws4_request`,
      seed: sig.signature,
    };
  }
  h["content-length"] = h["x-amz-decoded-content-length"];
  const enc = (h["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== "aws-chunked");
  if (enc.length) h["content-encoding"] = enc.join(", ");
  else delete h["content-encoding"];
}
