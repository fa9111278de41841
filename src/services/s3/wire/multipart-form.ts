// A streaming multipart/form-data reader for S3's browser POST uploads: the small fields before the file are
// collected, the file part is streamed out as it arrives (never whole in memory), and what follows is ignored.
import { Transform, type TransformCallback } from "node:stream";
import { ServiceError } from "../../../core/errors.js";

export interface FormHead {
  /** Field name (as sent) → value, for every part before the file. */
  fields: Map<string, string>;
  filename: string;
  fileContentType?: string;
}

/** S3 caps the form fields before the file at 20 KB. */
const MAX_FIELDS_BYTES = 20 * 1024;

const malformed = () => new ServiceError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", 400);

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

type State = "preamble" | "afterDelimiter" | "headers" | "value" | "file" | "done";

/** Writes the raw body in; `head` resolves at the file part; the readable side is the file's content. */
export class MultipartFile extends Transform {
  readonly head: Promise<FormHead>;
  private resolveHead!: (h: FormHead) => void;
  private rejectHead!: (e: Error) => void;
  private readonly delimiter: Buffer;
  // A CRLF is prepended so that the first boundary looks like every other one.
  private buf: Buffer = Buffer.from("\r\n");
  private state: State = "preamble";
  private fields = new Map<string, string>();
  private fieldBytes = 0;
  private partName = "";
  private partFilename?: string;

  constructor(boundary: string) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    this.head = new Promise((ok, fail) => {
      this.resolveHead = ok;
      this.rejectHead = fail;
    });
    this.head.catch(() => undefined); // observed by the caller; never an unhandled rejection
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    if (this.state === "done") return cb();
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      this.parse();
      cb();
    } catch (e) {
      this.rejectHead(e as Error);
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state === "done") return cb();
    const e =
      this.state === "file"
        ? malformed()
        : new ServiceError("InvalidArgument", "POST requires exactly one file upload per request.", 400, {
            fields: { ArgumentName: "file", ArgumentValue: "0" },
          });
    this.rejectHead(e);
    cb(e);
  }

  private parse(): void {
    for (;;) {
      switch (this.state) {
        case "preamble":
        case "value": {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            if (this.buf.length > MAX_FIELDS_BYTES)
              throw new ServiceError("MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.", 400);
            return;
          }
          if (this.state === "value") {
            this.fieldBytes += at;
            if (this.fieldBytes > MAX_FIELDS_BYTES)
              throw new ServiceError("MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.", 400);
            this.fields.set(this.partName, this.buf.toString("utf8", 0, at));
          }
          this.buf = this.buf.subarray(at + this.delimiter.length);
          this.state = "afterDelimiter";
          break;
        }
        case "afterDelimiter": {
          if (this.buf.length < 2) return;
          if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
            this.state = "done";
            this.buf = Buffer.alloc(0);
            throw new ServiceError("InvalidArgument", "POST requires exactly one file upload per request.", 400, {
              fields: { ArgumentName: "file", ArgumentValue: "0" },
            });
          }
          if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw malformed();
          this.buf = this.buf.subarray(2);
          this.state = "headers";
          break;
        }
        case "headers": {
          const end = this.buf.indexOf("\r\n\r\n");
          if (end < 0) {
            if (this.buf.length > 8192) throw malformed();
            return;
          }
          this.onPartHeaders(this.buf.toString("utf8", 0, end));
          this.buf = this.buf.subarray(end + 4);
          break;
        }
        case "file": {
          const at = this.buf.indexOf(this.delimiter);
          if (at >= 0) {
            if (at > 0) this.push(this.buf.subarray(0, at));
            this.buf = Buffer.alloc(0);
            this.state = "done";
            this.push(null);
            return;
          }
          // Hold back what could be the start of a delimiter split across packets.
          const keep = Math.min(this.buf.length, this.delimiter.length - 1);
          if (this.buf.length > keep) this.push(this.buf.subarray(0, this.buf.length - keep));
          this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
          return;
        }
        case "done":
          return;
      }
    }
  }

  private onPartHeaders(text: string): void {
    let name: string | undefined;
    let type: string | undefined;
    this.partFilename = undefined;
    for (const line of text.split("\r\n")) {
      const c = line.indexOf(":");
      if (c < 0) continue;
      const k = line.slice(0, c).trim().toLowerCase();
      const v = line.slice(c + 1).trim();
      if (k === "content-disposition") {
        name = /\bname="([^"]*)"/i.exec(v)?.[1] ?? /\bname=([^;\s]+)/i.exec(v)?.[1];
        this.partFilename = /\bfilename="([^"]*)"/i.exec(v)?.[1] ?? /\bfilename=([^;\s]+)/i.exec(v)?.[1];
      } else if (k === "content-type") type = v;
    }
    if (name === undefined) throw malformed();
    this.partName = name;
    if (name.toLowerCase() === "file") {
      this.state = "file";
      this.resolveHead({ fields: this.fields, filename: this.partFilename ?? "", fileContentType: type });
    } else this.state = "value";
  }
}
