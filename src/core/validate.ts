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

function check(model: ServiceModel, shape: Shape, value: unknown, path: string, out: string[]): void {
  const fail = (constraint: string) =>
    out.push(`Value ${value === undefined ? "null" : `'${show(value)}'`} at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case "structure":
    case "union": {
      if (typeof value !== "object" || value === null) return;
      const obj = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (obj[name] === undefined || obj[name] === null) {
          out.push(`Value null at '${path ? `${path}.` : ""}${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const v = obj[name];
        if (v === undefined || v === null) continue;
        check(model, model.shapes[ref.shape], v, path ? `${path}.${lowerFirst(name)}` : lowerFirst(name), out);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) return;
      lengthChecks(shape, value.length, fail);
      const member = model.shapes[shape.member!.shape];
      value.forEach((v, i) => check(model, member, v, `${path}.${i + 1}.member`, out));
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null) return;
      const entries = Object.entries(value as Record<string, unknown>);
      lengthChecks(shape, entries.length, fail);
      const k = model.shapes[shape.key!.shape];
      const v = model.shapes[shape.value!.shape];
      for (const [key, val] of entries) {
        check(model, k, key, `${path}.${key}.key`, out);
        check(model, v, val, `${path}.${key}.value`, out);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") return;
      lengthChecks(shape, value.length, fail);
      if (shape.enum && shape.enum.length && !shape.enum.includes(value)) fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
      if (shape.pattern) {
        const re = compile(shape.pattern);
        if (re && !re.test(value)) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      return;
    }
    case "blob":
      if (value instanceof Uint8Array) lengthChecks(shape, value.length, fail);
      return;
    case "integer":
    case "long":
    case "float":
    case "double":
      if (typeof value !== "number") return;
      if (shape.min !== undefined && value < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
  }
}

function lengthChecks(shape: Shape, length: number, fail: (c: string) => void): void {
  if (shape.min !== undefined && length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
}

/** Every constraint violation in `input`, as AWS lists them. */
export function validationErrors(model: ServiceModel, shapeName: string | undefined, input: Record<string, unknown>): string[] {
  if (!shapeName) return [];
  const out: string[] = [];
  check(model, model.shapes[shapeName], input, "", out);
  return out;
}

// Services that word model-constraint failures under their own error code, as AWS answers them.
const SERVICE_VALIDATION_CODE: Record<string, string> = {
  "CloudWatch Logs": "InvalidParameterException",
};

/** Throws AWS's validation error (`ValidationError` for query services, `ValidationException` for JSON ones). */
export function validateInput(model: ServiceModel, shapeName: string | undefined, input: Record<string, unknown>, code: "ValidationError" | "ValidationException"): void {
  const errors = validationErrors(model, shapeName, input);
  if (!errors.length) return;
  const n = errors.length;
  throw new ServiceError(SERVICE_VALIDATION_CODE[model.metadata.serviceId] ?? code, `${n} validation error${n > 1 ? "s" : ""} detected: ${errors.join("; ")}`, 400);
}
