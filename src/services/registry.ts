// Routing facts for every catalogued service (models/index.json, made by codegen) and the implemented ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../core/model.js";
import type { ProtocolName } from "../protocols/types.js";
import type { ServiceDefinition } from "./types.js";
import type { CredentialSource } from "../core/identity.js";
import { iamCredentialSource } from "./iam/credentials.js";
import { credentialSource as stsCredentialSource } from "./sts/credentials.js";

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

/**
 * Where access keys come from besides the root keys: IAM's access keys and STS's session credentials.
 * Small modules of their own, loaded with the server, so authenticating does not load those services.
 */
export const CREDENTIAL_SOURCES: CredentialSource[] = [iamCredentialSource, stsCredentialSource];

// Every service is loaded on its first call, so start-up does not compile them all (the bundle splits them out).
const LAZY: Record<string, () => Promise<{ default: ServiceDefinition }>> = {
  sts: () => import("./sts/index.js"),
  iam: () => import("./iam/index.js"),
  cloudtrail: () => import("./cloudtrail/index.js"),
  s3: () => import("./s3/index.js"),
  sqs: () => import("./sqs/index.js"),
  sns: () => import("./sns/index.js"),
  ssm: () => import("./ssm/index.js"),
  "secrets-manager": () => import("./secrets-manager/index.js"),
  kms: () => import("./kms/index.js"),
  "cloudwatch-logs": () => import("./cloudwatch-logs/index.js"),
  lambda: () => import("./lambda/index.js"),
};

/** Services with handlers; every other catalogued service answers NotImplemented per operation. */
export const IMPLEMENTED_NAMES: string[] = Object.keys(LAZY);

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
const definitions = new Map<string, ServiceDefinition>();

export const serviceByName = (name: string) => byName.get(name);
export const serviceByTarget = (prefix: string) => byTarget.get(prefix);
export const serviceBySigningName = (name: string) => bySigning.get(name) ?? byEndpoint.get(name);
export const serviceByEndpointPrefix = (prefix: string) => byEndpoint.get(prefix) ?? bySigning.get(prefix);
export const serviceByAction = (action: string) => byAction.get(action);
/** A service's definition if it is loaded already. */
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
