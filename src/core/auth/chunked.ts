// S3's aws-chunked upload encoding, decoded as a stream: chunk framing, per-chunk SigV4 signatures chained from
// the seed signature, trailing headers (x-amz-checksum-*) with their own signature, and the decoded length.
import type { Hash } from "node:crypto";
import { nodeCrypto } from "../lazy.js";
import { Transform, type TransformCallback } from "node:stream";
import { ServiceError } from "../errors.js";
import { AuthErrors } from "./errors.js";

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** A chunk header or trailer line longer than this is not aws-chunked framing. */
const MAX_LINE = 4096;

export interface ChunkSigning {
  /** The derived SigV4 signing key of the request. */
  key: Buffer;
  /** X-Amz-Date (basic format) and the credential scope, as in the seed signature. */
  date: string;
  scope: string;
  /** The Authorization header's signature: the first chunk's signature chains from it. */
  seed: string;
}

export interface ChunkDecoderOptions {
  /** Set when the payload is STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) and signatures are verified. May be set after construction, before the first byte. */
  signing?: ChunkSigning;
  /** x-amz-decoded-content-length: the decoded size must match it. */
  decodedLength?: number;
  /** Sees each piece of decoded content (a trailing checksum is computed over it). */
  observe?: (piece: Buffer) => void;
  /** Called with the trailing headers (lower-cased names) once they are read, before the stream ends. */
  onTrailers?: (trailers: Record<string, string>) => void;
}

const incomplete = () => new ServiceError("IncompleteBody", "The request body terminated unexpectedly", 400);
const malformed = (why: string) => new ServiceError("InvalidRequest", `Invalid chunked upload encoding: ${why}.`, 400);

type State = "header" | "data" | "dataEnd" | "trailer" | "done";

/** aws-chunked → the plain content. Errors are S3's (ServiceError), thrown as stream errors. */
export class ChunkDecoder extends Transform {
  signing?: ChunkSigning;
  private state: State = "header";
  private line = "";
  /** Bytes of the current chunk's data still to come. */
  private remaining = 0;
  private chunkSig = "";
  private chunkHash?: Hash;
  private prevSig = "";
  private decoded = 0;
  private trailerLines: string[] = [];
  private crlf = 0;

  constructor(private readonly opts: ChunkDecoderOptions = {}) {
    super();
    this.signing = opts.signing;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.state !== "done") return done(incomplete());
    if (this.opts.decodedLength !== undefined && this.decoded !== this.opts.decodedLength) return done(incomplete());
    done();
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case "header":
        case "trailer": {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString("latin1", i, end);
          if (this.line.length > MAX_LINE) throw malformed("line too long");
          i = end;
          if (nl < 0) break;
          const text = this.line.endsWith("\r\n") ? this.line.slice(0, -2) : this.line.slice(0, -1);
          this.line = "";
          if (this.state === "header") this.onHeader(text);
          else this.onTrailerLine(text);
          break;
        }
        case "data": {
          const n = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + n);
          this.chunkHash?.update(piece);
          this.opts.observe?.(piece);
          this.push(piece);
          this.decoded += n;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.state = "dataEnd";
          break;
        }
        case "dataEnd": {
          // The CRLF after a chunk's data, possibly split across packets.
          const expect = this.crlf === 0 ? 0x0d : 0x0a;
          if (buf[i] !== expect) throw malformed("chunk data not followed by CRLF");
          i++;
          if (++this.crlf === 2) {
            this.crlf = 0;
            this.endChunk();
            this.state = "header";
          }
          break;
        }
        case "done":
          // Anything after the final empty line is ignored, as S3 does.
          return;
      }
    }
  }

  private onHeader(text: string): void {
    const semi = text.indexOf(";");
    const sizeText = (semi < 0 ? text : text.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`bad chunk size '${sizeText.slice(0, 32)}'`);
    const size = parseInt(sizeText, 16);
    const ext = semi < 0 ? "" : text.slice(semi + 1);
    const m = /(?:^|;)\s*chunk-signature=([0-9a-f]{64})\s*$/.exec(ext);
    if (this.signing && !m) throw AuthErrors.signatureMismatch("s3");
    this.chunkSig = m?.[1] ?? "";
    this.chunkHash = this.signing ? nodeCrypto().createHash("sha256") : undefined;
    this.remaining = size;
    if (size === 0) {
      this.endChunk();
      this.state = "trailer";
    } else this.state = "data";
  }

  private endChunk(): void {
    const s = this.signing;
    if (!s) return;
    const prev = this.prevSig || s.seed;
    const hash = this.chunkHash!.digest("hex");
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${s.date}\n${s.scope}\n${prev}\n${EMPTY_SHA256}\n${hash}`;
    const expected = nodeCrypto().createHmac("sha256", s.key).update(sts, "utf8").digest("hex");
    if (expected !== this.chunkSig) throw AuthErrors.signatureMismatch("s3");
    this.prevSig = expected;
  }

  private onTrailerLine(text: string): void {
    if (text !== "") {
      this.trailerLines.push(text);
      if (this.trailerLines.length > 32) throw malformed("too many trailing headers");
      return;
    }
    const trailers: Record<string, string> = {};
    let trailerSig: string | undefined;
    let canonical = "";
    for (const l of this.trailerLines) {
      const c = l.indexOf(":");
      if (c < 1) throw malformed("bad trailing header");
      const name = l.slice(0, c).trim().toLowerCase();
      const value = l.slice(c + 1).trim();
      if (name === "x-amz-trailer-signature") trailerSig = value;
      else {
        trailers[name] = value;
        canonical += `${name}:${value}\n`;
      }
    }
    const s = this.signing;
    if (s && canonical) {
      const sts = `AWS4-HMAC-SHA256-TRAILER\n${s.date}\n${s.scope}\n${this.prevSig || s.seed}\n${nodeCrypto().createHash("sha256").update(canonical).digest("hex")}`;
      const expected = nodeCrypto().createHmac("sha256", s.key).update(sts, "utf8").digest("hex");
      if (trailerSig !== expected) throw AuthErrors.signatureMismatch("s3");
    }
    this.state = "done";
    this.opts.onTrailers?.(trailers);
  }
}
