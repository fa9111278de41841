// Helpers every codec shares: value formatting by the model's timestamp formats, base64, XML escaping.
import type { MemberRef, Shape } from "../core/model.js";

export type TimestampFormat = "iso8601" | "rfc822" | "unixTimestamp";

export function formatTimestamp(value: unknown, format: TimestampFormat): string | number {
  const d = toDate(value);
  switch (format) {
    case "unixTimestamp":
      return d.getTime() / 1000;
    case "rfc822":
      return d.toUTCString();
    default:
      return isoSeconds(d);
  }
}

/** ISO 8601 as AWS writes it: milliseconds only when there are some. */
export function isoSeconds(d: Date): string {
  const s = d.toISOString();
  return s.endsWith(".000Z") ? s.slice(0, -5) + "Z" : s;
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

/** Parses a timestamp in any of AWS's wire forms; undefined when it is not one. */
export function parseTimestamp(text: string, format?: TimestampFormat): Date | undefined {
  if (format === "unixTimestamp" || /^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? new Date(Math.round(n * 1000)) : undefined;
  }
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function timestampFormatOf(ref: MemberRef | undefined, shape: Shape, fallback: TimestampFormat): TimestampFormat {
  return ref?.timestampFormat ?? shape.timestampFormat ?? fallback;
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return Buffer.from(value, "utf8");
  throw new TypeError("not a blob");
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#xD;", "\n": "&#xA;" };
export function escapeXml(s: string): string {
  return /[&<>"'\r\n]/.test(s) ? s.replace(/[&<>"'\r\n]/g, (c) => XML_ESCAPES[c]) : s;
}

/** Serializes a scalar for text protocols (query, XML, headers). */
export function scalarText(value: unknown, shape: Shape, ref: MemberRef | undefined, defaultTs: TimestampFormat): string {
  switch (shape.type) {
    case "timestamp":
      return String(formatTimestamp(value, timestampFormatOf(ref, shape, defaultTs)));
    case "blob":
      return toBuffer(value).toString("base64");
    case "float":
    case "double": {
      const n = Number(value);
      return Number.isNaN(n) ? "NaN" : n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : String(n);
    }
    default:
      return String(value);
  }
}
