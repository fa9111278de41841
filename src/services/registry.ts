// Routing facts for every catalogued service (models/index.json, made by codegen) and the implemented ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../core/model.js";
import type { ProtocolName } from "../protocols/types.js";
import type { ServiceDefinition } from "./types.js";
import sts from "./sts/index.js";
import iam from "./iam/index.js";
import cloudtrail from "./cloudtrail/index.js";
import s3 from "./s3/index.js";
import sqs from "./sqs/index.js";
import sns from "./sns/index.js";
import ssm from "./ssm/index.js";
import secretsManager from "./secrets-manager/index.js";
import kms from "./kms/index.js";
import cloudwatchLogs from "./cloudwatch-logs/index.js";

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

/** Services with handlers; every other catalogued service answers NotImplemented per operation. */
export const IMPLEMENTED: ServiceDefinition[] = [sts, iam, cloudtrail, s3, sqs, sns, ssm, secretsManager, kms, cloudwatchLogs];

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
const definitions = new Map(IMPLEMENTED.map((d) => [d.name, d]));

export const serviceByName = (name: string) => byName.get(name);
export const serviceByTarget = (prefix: string) => byTarget.get(prefix);
export const serviceBySigningName = (name: string) => bySigning.get(name) ?? byEndpoint.get(name);
export const serviceByEndpointPrefix = (prefix: string) => byEndpoint.get(prefix) ?? bySigning.get(prefix);
export const serviceByAction = (action: string) => byAction.get(action);
export const definitionOf = (name: string) => definitions.get(name);
