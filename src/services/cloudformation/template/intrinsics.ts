// Evaluation of intrinsic functions and pseudo parameters in any template value.
//
// Wordings: the Fn::Join, Fn::Select, Fn::FindInMap, Fn::GetAtt, Fn::If, Fn::Base64, Fn::GetAZs and Ref texts are
// AWS's, as Eucalyptus's CloudFormation recorded them from AWS (IntrinsicFunctions.java) and as public stack event
// reports show them (e.g. "Template error: Fn::Select cannot select nonexistent value at index 2"); the Fn::Sub
// variable-name and unsupported-function texts are AWS answers quoted in public reports. Texts marked "unverified"
// are Stratus's best guesses.
import { partitionOf } from "../../../core/arn.js";
import { PARTITIONS } from "../../../core/partitions.generated.js";
import { formatError, isObject, templateError } from "./errors.js";
import type { Template } from "./types.js";

export interface PseudoParameters {
  accountId: string;
  region: string;
  stackName: string;
  stackId: string;
  /** Defaults to the region's partition. */
  partition?: string;
  /** Defaults to the partition's DNS suffix. */
  urlSuffix?: string;
  notificationArns?: string[];
}

export interface EvalContext {
  pseudo: PseudoParameters;
  /** What Ref returns for each parameter (ResolvedParameter.ref). */
  parameters?: Record<string, string | string[]>;
  /** Evaluated conditions (evaluateConditions). */
  conditions?: Record<string, boolean>;
  mappings?: Template["Mappings"];
  /** The template's logical ids: a Ref or Fn::GetAtt to anything else is an undefined resource. */
  resources?: ReadonlySet<string>;
  /** A resource's Ref value; undefined when it has none yet. */
  ref?: (logicalId: string) => unknown;
  /** A resource's attribute; undefined when the resource has no such attribute. */
  getAtt?: (logicalId: string, attribute: string) => unknown;
  /** An exported value; it throws AWS's error when there is no such export (see noExport). */
  importValue?: (name: string) => unknown;
}

/** The value of `{ "Ref": "AWS::NoValue" }` while evaluating: removed from its object or list. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** Unverified wording (AWS's as commonly reported). */
export const noExport = (name: string) => templateError(`No export named ${name} found.`);

const SUPPORTED =
  "[Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]";

const JOIN_ERR =
  "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.";
const SELECT_INDEX_ERR = "Fn::Select requires a list argument with a valid index value as its first element";
const SELECT_LIST_ERR = "Fn::Select requires a list argument with two elements: an integer index and a list";
const FIND_IN_MAP_ERR = "every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value";
const GETATT_ERR = "every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute";
const SUB_ERR =
  "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string";
const SUB_NAME_ERR = "variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons";
const SPLIT_ERR =
  "every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split."; // unverified
const CIDR_ERR = "every Fn::Cidr object requires three parameters, (1) an ipBlock, (2) the count of subnets and (3) the cidrBits."; // unverified

/** Evaluates every intrinsic function in a value. `AWS::NoValue` removes the key or list element holding it; a
 *  value that is itself `AWS::NoValue` evaluates to undefined. */
export function evaluate(value: unknown, ctx: EvalContext): unknown {
  const v = ev(value, ctx);
  return v === NO_VALUE ? undefined : v;
}

function ev(value: unknown, ctx: EvalContext): unknown {
  if (Array.isArray(value)) return value.map((v) => ev(v, ctx)).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [k] = keys;
    if (k === "Ref") return ref(value[k], ctx);
    if (k.startsWith("Fn::")) {
      const f = FUNCTIONS[k];
      if (!f) throw formatError(`Encountered unsupported function: ${k} Supported functions are: ${SUPPORTED}`);
      return f(value[k], ctx);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = ev(v, ctx);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function pseudo(name: string, ctx: EvalContext): unknown {
  const p = ctx.pseudo;
  switch (name) {
    case "AWS::AccountId":
      return p.accountId;
    case "AWS::Region":
      return p.region;
    case "AWS::StackName":
      return p.stackName;
    case "AWS::StackId":
      return p.stackId;
    case "AWS::Partition":
      return p.partition ?? partitionOf(p.region);
    case "AWS::URLSuffix": {
      const partition = p.partition ?? partitionOf(p.region);
      return p.urlSuffix ?? PARTITIONS.find((x) => x.id === partition)?.dnsSuffix ?? "amazonaws.com";
    }
    case "AWS::NotificationARNs":
      return p.notificationArns ?? [];
    case "AWS::NoValue":
      return NO_VALUE;
    default:
      return undefined;
  }
}

const unresolved = (name: string) => formatError(`Unresolved resource dependencies [${name}] in the Resources block of the template`);

function ref(arg: unknown, ctx: EvalContext): unknown {
  if (typeof arg !== "string") throw templateError("All References must be of type string");
  const p = pseudo(arg, ctx);
  if (p !== undefined) return p;
  if (ctx.parameters && arg in ctx.parameters) return ctx.parameters[arg];
  if (ctx.resources && !ctx.resources.has(arg)) throw unresolved(arg);
  const r = ctx.ref?.(arg);
  if (r === undefined) throw unresolved(arg);
  return r;
}

function getAtt(arg: unknown, ctx: EvalContext): unknown {
  let parts: unknown[];
  if (typeof arg === "string") {
    const dot = arg.indexOf(".");
    parts = dot < 0 ? [arg] : [arg.slice(0, dot), arg.slice(dot + 1)];
  } else if (Array.isArray(arg)) parts = [arg[0], ev(arg[1], ctx), ...arg.slice(2)];
  else throw templateError(GETATT_ERR);
  const [id, attr] = parts;
  if (parts.length !== 2 || typeof id !== "string" || !id || typeof attr !== "string" || !attr) throw templateError(GETATT_ERR);
  if ((ctx.resources && !ctx.resources.has(id)) || !ctx.getAtt) throw templateError(`instance of Fn::GetAtt references undefined resource ${id}`);
  const r = ctx.getAtt(id, attr);
  if (r === undefined) throw templateError(`resource ${id} does not support attribute type ${attr} in Fn::GetAtt`);
  return r;
}

function sub(arg: unknown, ctx: EvalContext): string {
  let str: unknown;
  let vars: unknown = {};
  if (typeof arg === "string") str = arg;
  else if (Array.isArray(arg) && (arg.length === 1 || arg.length === 2)) [str, vars = {}] = arg;
  else throw templateError(SUB_ERR);
  if (typeof str !== "string" || !isObject(vars)) throw templateError(SUB_ERR);
  const values = ev(vars, ctx) as Record<string, unknown>;
  return str.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
    if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (!/^[A-Za-z0-9_.:]+$/.test(name)) throw templateError(SUB_NAME_ERR);
    let v: unknown;
    if (name in values) v = values[name];
    else if (name.includes(".") && !name.startsWith("AWS::")) v = getAtt(name, ctx);
    else v = ref(name, ctx);
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    if (typeof v !== "string") throw templateError(`variable ${name} in Fn::Sub expression does not resolve to a string`); // unverified
    return v;
  });
}

function join(arg: unknown, ctx: EvalContext): string {
  if (!Array.isArray(arg) || arg.length !== 2) throw templateError(JOIN_ERR);
  const delimiter = ev(arg[0], ctx);
  const list = ev(arg[1], ctx);
  if (typeof delimiter !== "string" || !Array.isArray(list)) throw templateError(JOIN_ERR);
  return list
    .map((item) => {
      if (typeof item === "string") return item;
      if (typeof item === "number" || typeof item === "boolean") return String(item);
      throw templateError(JOIN_ERR);
    })
    .join(delimiter);
}

function select(arg: unknown, ctx: EvalContext): unknown {
  if (!Array.isArray(arg) || arg.length < 1) throw templateError(SELECT_INDEX_ERR);
  const index = ev(arg[0], ctx);
  if (!((typeof index === "string" && /^\d+$/.test(index.trim())) || (typeof index === "number" && Number.isInteger(index)))) {
    throw templateError(SELECT_INDEX_ERR);
  }
  if (arg.length !== 2) throw templateError(SELECT_LIST_ERR);
  const list = ev(arg[1], ctx);
  if (!Array.isArray(list)) throw templateError(SELECT_LIST_ERR);
  const i = Number(index);
  if (i < 0 || i >= list.length) throw templateError(`Fn::Select cannot select nonexistent value at index ${i}`);
  return list[i];
}

function split(arg: unknown, ctx: EvalContext): string[] {
  if (!Array.isArray(arg) || arg.length !== 2) throw templateError(SPLIT_ERR);
  const delimiter = ev(arg[0], ctx);
  const source = ev(arg[1], ctx);
  if (typeof delimiter !== "string" || typeof source !== "string") throw templateError(SPLIT_ERR);
  return source.split(delimiter);
}

function findInMap(arg: unknown, ctx: EvalContext): unknown {
  if (!Array.isArray(arg) || (arg.length !== 3 && arg.length !== 4)) throw templateError(FIND_IN_MAP_ERR);
  const [map, top, second] = arg.slice(0, 3).map((a) => ev(a, ctx));
  // The fourth argument, { DefaultValue: … }, comes with the AWS::LanguageExtensions transform.
  const options = arg.length === 4 ? arg[3] : undefined;
  if (options !== undefined && !(isObject(options) && "DefaultValue" in options)) throw templateError(FIND_IN_MAP_ERR);
  const key = (v: unknown) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v);
  const [m, t, s] = [key(map), key(top), key(second)];
  if (typeof m !== "string" || typeof t !== "string" || typeof s !== "string") throw templateError(FIND_IN_MAP_ERR);
  const mapping = ctx.mappings?.[m];
  if (!isObject(mapping)) throw templateError(`Mapping named '${m}' is not present in the 'Mappings' section of template`);
  const level = mapping[t];
  const found = isObject(level) ? level[s] : undefined;
  if (found !== undefined) return found;
  if (options) return ev(options.DefaultValue, ctx);
  throw templateError(`Unable to get mapping for ${m}::${t}::${s}`);
}

function getAZs(arg: unknown, ctx: EvalContext): string[] {
  const region = ev(arg, ctx);
  if (typeof region !== "string") throw templateError("every Fn::GetAZs object must have a String-typed value.");
  const r = region === "" ? ctx.pseudo.region : region;
  return ["a", "b", "c"].map((z) => `${r}${z}`);
}

function importValue(arg: unknown, ctx: EvalContext): unknown {
  const name = ev(arg, ctx);
  if (typeof name !== "string") throw templateError("every Fn::ImportValue object must have a String-typed value."); // unverified
  if (!ctx.importValue) throw noExport(name);
  return ctx.importValue(name);
}

function base64(arg: unknown, ctx: EvalContext): string {
  const v = ev(arg, ctx);
  if (typeof v !== "string") throw templateError("every Fn::Base64 object must have a String-typed value.");
  return Buffer.from(v, "utf8").toString("base64");
}

function ifFn(arg: unknown, ctx: EvalContext): unknown {
  if (!Array.isArray(arg) || arg.length < 1 || typeof arg[0] !== "string")
    throw templateError("Fn::If requires a list argument with the first element being a condition");
  if (arg.length !== 3) throw templateError("Fn::If requires a list argument with three elements");
  const c = ctx.conditions?.[arg[0]];
  if (c === undefined) throw templateError(`unresolved condition dependency ${arg[0]} in Fn::If`);
  return ev(c ? arg[1] : arg[2], ctx);
}

function length(arg: unknown, ctx: EvalContext): number {
  const v = ev(arg, ctx);
  if (!Array.isArray(v)) throw templateError("Fn::Length requires a list argument"); // unverified
  return v.length;
}

function toJsonString(arg: unknown, ctx: EvalContext): string {
  const v = ev(arg, ctx);
  if (!isObject(v) && !Array.isArray(v)) throw templateError("Fn::ToJsonString requires an object or a list argument"); // unverified
  return JSON.stringify(v);
}

// Fn::Cidr: `count` subnets of `cidrBits` host bits each, carved in order from the start of `ipBlock`.
function cidr(arg: unknown, ctx: EvalContext): string[] {
  if (!Array.isArray(arg) || arg.length !== 3) throw templateError(CIDR_ERR);
  const [block, countV, bitsV] = arg.map((a) => ev(a, ctx));
  const count = Number(countV);
  const bits = Number(bitsV);
  if (typeof block !== "string" || !Number.isInteger(count) || !Number.isInteger(bits)) throw templateError(CIDR_ERR);
  const m = /^([^/]+)\/(\d{1,3})$/.exec(block.trim());
  const v6 = !!m && m[1].includes(":");
  const addr = m ? (v6 ? parseV6(m[1]) : parseV4(m[1])) : undefined;
  const width = v6 ? 128 : 32;
  const prefix = m ? Number(m[2]) : -1;
  if (addr === undefined || prefix > width) throw templateError(`Fn::Cidr ipBlock ${block} is not a valid CIDR block`); // unverified
  if (count < 1 || count > 256) throw templateError("Fn::Cidr count must be between 1 and 256"); // unverified
  const newPrefix = width - bits;
  if (bits < 1 || newPrefix < prefix) throw templateError(`Fn::Cidr cidrBits ${bits} is not valid for ipBlock ${block}`); // unverified
  const available = 1n << BigInt(newPrefix - prefix);
  if (BigInt(count) > available) throw templateError(`Fn::Cidr cannot carve ${count} subnets of /${newPrefix} from ${block}`); // unverified
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const network = addr & ~hostMask & ((1n << BigInt(width)) - 1n);
  const out: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    const a = network + (i << BigInt(bits));
    out.push(`${v6 ? formatV6(a) : formatV4(a)}/${newPrefix}`);
  }
  return out;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}
const formatV4 = (a: bigint) => [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join(".");

function parseV6(s: string): bigint | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const all = [...head, ...Array(fill).fill("0"), ...tail];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

// RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::".
function formatV6(a: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((a >> BigInt(112 - i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function transform(): never {
  throw templateError("Fn::Transform is processed before the template is evaluated"); // Stratus's own wording: macros run first
}

const FUNCTIONS: Record<string, (arg: unknown, ctx: EvalContext) => unknown> = {
  "Fn::GetAtt": getAtt,
  "Fn::Sub": sub,
  "Fn::Join": join,
  "Fn::Select": select,
  "Fn::Split": split,
  "Fn::FindInMap": findInMap,
  "Fn::GetAZs": getAZs,
  "Fn::ImportValue": importValue,
  "Fn::Base64": base64,
  "Fn::Cidr": cidr,
  "Fn::If": ifFn,
  "Fn::Length": length,
  "Fn::ToJsonString": toJsonString,
  "Fn::Transform": transform,
};
