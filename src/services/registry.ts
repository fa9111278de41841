// Routing facts for every catalogued service (models/index.json, made by codegen) and the implemented ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../core/model.js";
import type { ProtocolName } from "../protocols/types.js";
import type { ServiceDefinition } from "./types.js";
import sts from "./sts/index.js";
import iam from "./iam/index.js";

export interface ServiceInfo {
  name: string;
  protocols: ProtocolName[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName: string;
  endpointPrefix: string;
  serviceId: string;
  apiVersion: string;
  awsQueryCompatible?: boolean;
  queryActions?: string[];
}

/** Loaded with the server: they are credential sources, consulted to authenticate any request. */
export const EAGER: ServiceDefinition[] = [sts, iam];

// Loaded on a service's first call, so start-up does not compile every service (the bundle splits them out).
const LAZY: Record<string, () => Promise<{ default: ServiceDefinition }>> = {
  cloudtrail: () => import("./cloudtrail/index.js"),
  s3: () => import("./s3/index.js"),
  sqs: () => import("./sqs/index.js"),
  sns: () => import("./sns/index.js"),
  ssm: () => import("./ssm/index.js"),
  "secrets-manager": () => import("./secrets-manager/index.js"),
  kms: () => import("./kms/index.js"),
  "cloudwatch-logs": () => import("./cloudwatch-logs/index.js"),
};

/** Services with handlers; every other catalogued service answers NotImplemented per operation. */
export const IMPLEMENTED_NAMES: string[] = [...EAGER.map((d) => d.name), ...Object.keys(LAZY)];

const infos = JSON.parse(readFileSync(join(modelsDir, "index.json"), "utf8")) as Record<string, Omit<ServiceInfo, "name">>;
export const SERVICE_INFO: ServiceInfo[] = Object.entries(infos).map(([name, i]) => ({ name, ...i }));

const byName = new Map(SERVICE_INFO.map((s) => [s.name, s]));
const byTarget = new Map<string, ServiceInfo>();
for (const s of SERVICE_INFO) {
  if (!s.targetPrefix) continue;
  byTarget.set(s.targetPrefix, s);
  // Namespaced prefixes (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101): SDKs send the last segment.
  byTarget.set(s.targetPrefix.slice(s.targetPrefix.lastIndexOf(".") + 1), s);
}
const bySigning = new Map<string, ServiceInfo>();
const byEndpoint = new Map<string, ServiceInfo>();
for (const s of SERVICE_INFO) {
  if (!bySigning.has(s.signingName)) bySigning.set(s.signingName, s);
  if (!byEndpoint.has(s.endpointPrefix)) byEndpoint.set(s.endpointPrefix, s);
}
const byAction = new Map<string, ServiceInfo>();
for (const s of SERVICE_INFO) for (const a of s.queryActions ?? []) if (!byAction.has(a)) byAction.set(a, s);
const definitions = new Map(EAGER.map((d) => [d.name, d]));

export const serviceByName = (name: string) => byName.get(name);
export const serviceByTarget = (prefix: string) => byTarget.get(prefix);
export const serviceBySigningName = (name: string) => bySigning.get(name) ?? byEndpoint.get(name);
export const serviceByEndpointPrefix = (prefix: string) => byEndpoint.get(prefix) ?? bySigning.get(prefix);
export const serviceByAction = (action: string) => byAction.get(action);
/** A service's definition if it is loaded already (always, for the eager ones). */
export const definitionOf = (name: string) => definitions.get(name);

/** Loads a service's definition (once); undefined for a service with no handlers. */
export async function loadDefinition(name: string): Promise<ServiceDefinition | undefined> {
  const ready = definitions.get(name);
  if (ready || !LAZY[name]) return ready;
  const def = (await LAZY[name]()).default;
  definitions.set(name, def);
  return def;
}

/** Every implemented service's definition (the docs generator and coverage need them all). */
export async function loadAllDefinitions(): Promise<ServiceDefinition[]> {
  return Promise.all(IMPLEMENTED_NAMES.map(async (n) => (await loadDefinition(n))!));
}
