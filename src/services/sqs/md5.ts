// The digests SQS returns and SDKs verify: MD5 of the body, and of message (system) attributes in AWS's binary encoding.
import { createHash } from "node:crypto";
import type { StoredAttribute } from "./state.js";

export const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

/**
 * AWS's encoding: attributes sorted by name, each as length-prefixed (4-byte big-endian) name, data type,
 * a transport byte (1 string/number, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(attrs: Record<string, StoredAttribute>): string {
  const parts: Buffer[] = [];
  const lp = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    lp(Buffer.from(name, "utf8"));
    lp(Buffer.from(a.DataType, "utf8"));
    if (a.BinaryValue !== undefined && a.StringValue === undefined) {
      parts.push(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue, "base64"));
    } else {
      parts.push(Buffer.from([1]));
      lp(Buffer.from(a.StringValue ?? "", "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}
