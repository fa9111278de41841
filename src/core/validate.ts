// Input validation from the model's constraints, worded as AWS words it:
// "1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64".
import { ServiceError } from "./errors.js";
import type { ServiceModel, Shape } from "./model.js";

const patterns = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    re = null;
    for (const flags of ["u", ""]) {
      try {
        re = new RegExp(`^(?:${pattern})$`, flags);
        break;
      } catch {
        // Some model patterns are Java-only syntax; those are not enforced.
      }
    }
    patterns.set(pattern, re);
  }
  return re;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function show(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]`;
  if (typeof value === "object") return "{...}";
  return String(value);
}

// The path to the value being checked, kept as a stack of segments and joined only when a violation is reported,
// so valid input (the common case) builds no path strings. A string is a structure member (lowerCamel), a number a
// list index, and a MapSegment a map key or value, already in its written form.
interface MapSegment {
  text: string;
}
type Segment = string | number | MapSegment;

function joinPath(path: Segment[]): string {
  let s = "";
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (typeof seg === "string") s += i === 0 ? seg : `.${seg}`;
    else if (typeof seg === "number") s += `.${seg + 1}.member`;
    else s += seg.text;
  }
  return s;
}

type Checker = (value: unknown, path: Segment[], out: string[]) => void;

function report(out: string[], value: unknown, path: Segment[], constraint: string): void {
  out.push(`Value ${value === undefined ? "null" : `'${show(value)}'`} at '${joinPath(path)}' failed to satisfy constraint: ${constraint}`);
}

// Shapes with nothing to check share this one, so structures and lists can skip them without a call.
const NOOP: Checker = () => {};

// One compiled checker per (model, shape name): the shape's lookups, lowercasing, regex and enum set done once.
const compiled = new WeakMap<ServiceModel, Map<string, Checker>>();

function checkerFor(model: ServiceModel, name: string): Checker {
  let byName = compiled.get(model);
  if (!byName) compiled.set(model, (byName = new Map()));
  let fn = byName.get(name);
  if (!fn) {
    fn = build(model, model.shapes[name]);
    byName.set(name, fn);
  }
  return fn;
}

function lengthChecker(shape: Shape): ((value: unknown, length: number, path: Segment[], out: string[]) => void) | undefined {
  const { min, max } = shape;
  if (min === undefined && max === undefined) return undefined;
  return (value, length, path, out) => {
    if (min !== undefined && length < min) report(out, value, path, `Member must have length greater than or equal to ${min}`);
    if (max !== undefined && length > max) report(out, value, path, `Member must have length less than or equal to ${max}`);
  };
}

function build(model: ServiceModel, shape: Shape | undefined): Checker {
  if (!shape) {
    // As before: a reference to a shape the model lacks is a programming error, not a validation failure.
    return () => {
      throw new TypeError("Cannot read properties of undefined (reading 'type')");
    };
  }
  switch (shape.type) {
    case "structure":
    case "union": {
      const required = (shape.required ?? []).map((n) => ({ name: n, segment: lowerFirst(n) }));
      // Member checkers are resolved on first use: shapes may be recursive, and this one is cached before it runs.
      let members: { name: string; segment: string; check: Checker }[] | undefined;
      const resolve = () =>
        Object.entries(shape.members ?? {})
          .map(([n, ref]) => ({ name: n, segment: lowerFirst(n), check: checkerFor(model, ref.shape) }))
          .filter((m) => m.check !== NOOP);
      return (value, path, out) => {
        if (typeof value !== "object" || value === null) return;
        const obj = value as Record<string, unknown>;
        for (let i = 0; i < required.length; i++) {
          const r = required[i];
          const v = obj[r.name];
          if (v === undefined || v === null) {
            path.push(r.segment);
            out.push(`Value null at '${joinPath(path)}' failed to satisfy constraint: Member must not be null`);
            path.pop();
          }
        }
        const ms = (members ??= resolve());
        for (let i = 0; i < ms.length; i++) {
          const m = ms[i];
          const v = obj[m.name];
          if (v === undefined || v === null) continue;
          path.push(m.segment);
          m.check(v, path, out);
          path.pop();
        }
      };
    }
    case "list": {
      const lengths = lengthChecker(shape);
      const memberName = shape.member!.shape;
      let member: Checker | undefined;
      return (value, path, out) => {
        if (!Array.isArray(value)) return;
        lengths?.(value, value.length, path, out);
        const check = (member ??= checkerFor(model, memberName));
        if (check === NOOP) return;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) continue; // holes were skipped before too (forEach)
          path.push(i);
          check(value[i], path, out);
          path.pop();
        }
      };
    }
    case "map": {
      const lengths = lengthChecker(shape);
      const keyName = shape.key!.shape;
      const valueName = shape.value!.shape;
      let k: Checker | undefined;
      let v: Checker | undefined;
      return (value, path, out) => {
        if (typeof value !== "object" || value === null) return;
        const obj = value as Record<string, unknown>;
        const keys = Object.keys(obj);
        lengths?.(value, keys.length, path, out);
        k ??= checkerFor(model, keyName);
        v ??= checkerFor(model, valueName);
        for (const key of keys) {
          const val = obj[key];
          path.push({ text: `.${key}.key` });
          k(key, path, out);
          path.pop();
          path.push({ text: `.${key}.value` });
          v(val, path, out);
          path.pop();
        }
      };
    }
    case "string": {
      const lengths = lengthChecker(shape);
      const enums = shape.enum && shape.enum.length ? new Set(shape.enum) : undefined;
      const enumText = enums ? `Member must satisfy enum value set: [${shape.enum!.join(", ")}]` : "";
      const re = shape.pattern ? compile(shape.pattern) : null;
      const patternText = re ? `Member must satisfy regular expression pattern: ${shape.pattern}` : "";
      if (!lengths && !enums && !re) return NOOP;
      return (value, path, out) => {
        if (typeof value !== "string") return;
        lengths?.(value, value.length, path, out);
        if (enums && !enums.has(value)) report(out, value, path, enumText);
        if (re && !re.test(value)) report(out, value, path, patternText);
      };
    }
    case "blob": {
      const lengths = lengthChecker(shape);
      if (!lengths) return NOOP;
      return (value, path, out) => {
        if (value instanceof Uint8Array) lengths(value, value.length, path, out);
      };
    }
    case "integer":
    case "long":
    case "float":
    case "double": {
      const { min, max } = shape;
      if (min === undefined && max === undefined) return NOOP;
      return (value, path, out) => {
        if (typeof value !== "number") return;
        if (min !== undefined && value < min) report(out, value, path, `Member must have value greater than or equal to ${min}`);
        if (max !== undefined && value > max) report(out, value, path, `Member must have value less than or equal to ${max}`);
      };
    }
    default:
      return NOOP;
  }
}

/** Every constraint violation in `input`, as AWS lists them. */
export function validationErrors(model: ServiceModel, shapeName: string | undefined, input: Record<string, unknown>): string[] {
  if (!shapeName) return [];
  const out: string[] = [];
  checkerFor(model, shapeName)(input, [], out);
  return out;
}

/**
 * Throws AWS's validation error in `code` (`ValidationError` for query services, `ValidationException` for JSON
 * ones, or the service's own as its registry entry declares: CloudWatch Logs' InvalidParameterException).
 */
export function validateInput(model: ServiceModel, shapeName: string | undefined, input: Record<string, unknown>, code: string): void {
  const errors = validationErrors(model, shapeName, input);
  if (!errors.length) return;
  const n = errors.length;
  throw new ServiceError(code, `${n} validation error${n > 1 ? "s" : ""} detected: ${errors.join("; ")}`, 400);
}
