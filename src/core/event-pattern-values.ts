// The value forms event-ruler (github.com/aws/event-ruler) compares: numbers as IEEE-754 doubles, IP addresses
// as their bytes, CIDR blocks as byte ranges, wildcard strings. Each check fails with event-ruler's words.

/** A refusal event-ruler raises as an IllegalArgumentException: no position suffix unless the caller adds one. */
export class ValueError extends Error {}

const fail = (message: string): never => {
  throw new ValueError(message);
};

/** The decimal's digits and exponent (value = 0.digits × 10^exp), sign apart; "" digits is zero. */
function decimal(text: string): { neg: boolean; digits: string; exp: number } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return { neg: false, digits: "NaN", exp: 0 };
  const int = m[2] ?? "";
  const frac = m[3] ?? "";
  let digits = int + frac;
  let exp = int.length + Number(m[4] ?? 0);
  const lead = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(lead).replace(/0+$/, "");
  exp -= lead;
  return { neg: m[1] === "-" && digits !== "", digits, exp: digits ? exp : 0 };
}

/** The double a JSON number denotes, or undefined where event-ruler's ComparableNumber refuses it: not finite,
 *  or not exactly the decimal the double prints as (`BigDecimal.valueOf(d).compareTo(parsed) != 0`), so
 *  `0.1` and `3.018e2` compare as numbers but `1.00000000000000000001` or `123456789012345678` do not. */
export function comparable(text: string): number | undefined {
  const d = Number(text);
  if (!Number.isFinite(d)) return undefined;
  const a = decimal(text);
  const b = decimal(String(d));
  return a.neg === b.neg && a.digits === b.digits && a.exp === b.exp ? d : undefined;
}

/** comparable() or event-ruler's "Cannot compare number : <text>". */
export function comparableOrFail(text: string): number {
  return comparable(text) ?? fail(`Cannot compare number : ${text}`);
}

/** Orders doubles as event-ruler's comparable encoding does (-0 sorts below 0). */
export function compareNumbers(a: number, b: number): number {
  if (a !== b) return a < b ? -1 : 1;
  const na = Object.is(a, -0);
  return na === Object.is(b, -0) ? 0 : na ? -1 : 1;
}

/** The key under which a number is equal to another: its double, -0 apart. */
export const numberKey = (n: number): string => (Object.is(n, -0) ? "n:-0" : `n:${n}`);

const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Whether event-ruler takes the string for an IP address literal at all (CIDR.isIPv4OrIPv6). */
const looksLikeIp = (s: string) => IPV4.test(s) || IPV6.test(s);

/** The address's bytes (4 or 16; an IPv4-mapped IPv6 address is its IPv4 address, as Java's InetAddress gives
 *  it), or undefined when it is no address. Octets with leading zeros are read as decimal. // unverified */
function ipBytes(s: string): number[] | undefined {
  if (IPV4.test(s)) {
    const parts = s.split(".").map(Number);
    return parts.every((p) => p <= 255) ? parts : undefined;
  }
  if (!IPV6.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 ? missing < 1 : missing !== 0) || [...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const words = [...head, ...Array(Math.max(missing, 0)).fill("0"), ...tail].map((g) => Number.parseInt(g, 16));
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");

/** The key an IP address literal compares under ("ip:" and its bytes in hex), or undefined for other strings:
 *  event-ruler turns a rule's string that is an IP address into that address's range, so `"10.0.0.1"` and
 *  an event's `"10.0.0.1"` meet by address (CIDR.ipToRangeIfPossible). */
export function ipKey(s: string): string | undefined {
  if (s === lastIp) return lastKey; // the value an event's many cidr rules each ask about
  const c0 = s.charCodeAt(0);
  if (!(c0 >= 0x30 && c0 <= 0x39) && !s.includes(":")) return undefined; // neither form can start so
  const b = looksLikeIp(s) ? ipBytes(s) : undefined;
  lastIp = s;
  lastKey = b ? `ip:${hex(b)}` : undefined;
  return lastKey;
}
let lastIp: string | undefined;
let lastKey: string | undefined;

/** A CIDR block as the lowest and highest address (hex, same length), checked as CIDR.cidr checks it. */
export function cidrRange(text: string): { low: string; high: string } {
  const parts = text.split("/");
  while (parts.length && parts[parts.length - 1] === "") parts.pop(); // Java's String.split drops trailing empties
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const bitsText = parts[1];
  if (!/^[+-]?\d+$/.test(bitsText) || Math.abs(Number(bitsText)) > 2147483647) fail("Malformed CIDR, mask bits must be an integer");
  const bits = Number(bitsText);
  if (bits < 0) fail("Malformed CIDR, mask bits must not be negative");
  const base = looksLikeIp(parts[0]) ? (ipBytes(parts[0]) ?? fail(`Invalid IP address: ${parts[0]}`)) : fail(`Nonstandard IP address: ${parts[0]}`);
  if (base.length === 4 && bits > 31) fail("IPv4 mask bits must be < 32");
  if (base.length === 16 && bits > 127) fail("IPv6 mask bits must be < 128");
  let variable = base.length * 8 - bits;
  const low = [...base];
  const high = [...base];
  for (let i = base.length - 1; i >= 0 && variable > 0; i--, variable -= 8) {
    const mask = (1 << Math.min(8, variable)) - 1;
    low[i] &= ~mask & 0xff;
    high[i] |= mask;
  }
  return { low: hex(low), high: hex(high) };
}

/** True when `value` is an IP address inside the range (same family). */
export function inCidr(value: string, range: { low: string; high: string }): boolean {
  const key = ipKey(value);
  if (!key) return false;
  const h = key.slice(3);
  return h.length === range.low.length && h >= range.low && h <= range.high;
}

/** Wildcards a pattern may hold before event-ruler's complexity check refuses the rule. EventBridge's threshold
 *  is not published; AWS refused `*:*:*:*:*:event-bus/*` (six) in LocalStack's recorded content_wildcard_complex_EXC
 *  and accepts the documented two-wildcard ARN patterns. // unverified threshold */
const MAX_WILDCARDS = 5;
export const TOO_COMPLEX = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/** Whether event-ruler's complexity check would refuse the wildcard pattern. */
export const tooComplex = (text: string): boolean => (text.replace(/\\[*\\]/g, "").match(/\*/g)?.length ?? 0) > MAX_WILDCARDS;

/** A wildcard pattern as a RegExp over the string's value, checked as event-ruler's WildcardParser checks it:
 *  `*` any run of characters, `\*` a literal star, `\\` a literal backslash, and positions in errors are UTF-8
 *  byte offsets in the value with its quotes (`"` + value + `"`). */
export function wildcardRegExp(text: string): RegExp {
  const bytes = new TextEncoder().encode(`"${text}"`);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x2a) {
      if (bytes[i + 1] === 0x2a) fail(`Consecutive wildcard characters at pos ${i}`);
    } else if (bytes[i] === 0x5c) {
      if (bytes[i + 1] !== 0x2a && bytes[i + 1] !== 0x5c) fail(`Invalid escape character at pos ${i}`);
      i++;
    }
  }
  let re = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") re += `\\${text[++i]}`;
    else if (ch === "*") re += "[^]*";
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
