// The runtimes Lambda knows: which ones AWS still lets you create functions with, and how Stratus runs each
// here (a local process). Runtimes that cannot run on this machine are accepted as AWS accepts them and fail
// at Invoke with an error naming the runtime.
import { InvalidParameterValueException } from "./api.generated.js";

export type RuntimeKind = "node" | "python" | "provided" | "unsupported";

export interface RuntimeInfo {
  kind: RuntimeKind;
  /** For node/python: the language version the runtime asks for, e.g. "20" or "3.12". */
  version?: string;
}

// AWS's deprecation table: creating or updating a function with these is refused.
const BLOCKED = new Set([
  "nodejs",
  "nodejs4.3",
  "nodejs4.3-edge",
  "nodejs6.10",
  "nodejs8.10",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "nodejs16.x",
  "python2.7",
  "python3.6",
  "python3.7",
  "python3.8",
  "dotnetcore1.0",
  "dotnetcore2.0",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "dotnet6",
  "ruby2.5",
  "ruby2.7",
  "go1.x",
  "java8",
  "provided",
]);

export function runtimeInfo(runtime: string | undefined): RuntimeInfo {
  if (!runtime) return { kind: "unsupported" };
  let m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (m) return { kind: "node", version: m[1] };
  m = /^python(3\.\d+)$/.exec(runtime);
  if (m) return { kind: "python", version: m[1] };
  if (runtime === "provided.al2" || runtime === "provided.al2023") return { kind: "provided" };
  return { kind: "unsupported" };
}

export function checkRuntimeAllowed(runtime: string | undefined): void {
  if (runtime && BLOCKED.has(runtime)) {
    throw new InvalidParameterValueException(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
      { Type: "User" },
    );
  }
}
