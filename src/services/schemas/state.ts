// Schemas' records and tables (per account and region): registries (custom ones and discovered-schemas; aws.events is
// AWS's own, synthesized from aws-events.ts), schemas with their versions, code bindings and discoverers; their ARNs;
// AWS's error envelope ({"Code": …, "Message": …}, the model's ErrorOutput); the running instance.
import type { HandlerContext } from "../../core/context.js";
import { regionalArn, type ArnScope } from "../../core/arn.js";
import { pageByKey } from "../../core/paging.js";
import { defineState, regional, type TablesOf } from "../../core/state.js";
import type { ServiceHost } from "../../core/service.js";
import { BadRequestException, ConflictException, NotFoundException, type Type } from "./api.generated.js";

export interface RegistryRec {
  name: string;
  description?: string;
  tags: Record<string, string>;
  /** The registry policy (PutResourcePolicy) and its revision. */
  policy?: string;
  revisionId?: string;
  created: number;
}

export interface SchemaRec {
  registry: string;
  name: string;
  description?: string;
  tags: Record<string, string>;
  type: Type;
  /** The highest version number ever given (versions are never renumbered, even after a delete). */
  latest: number;
  /** The versions that exist, ascending. */
  versions: number[];
  lastModified: number;
}

export interface VersionRec {
  version: number;
  type: Type;
  content: string;
  created: number;
}

export interface CodeBindingRec {
  created: number;
  modified: number;
}

export interface DiscovererRec {
  id: string;
  sourceArn: string;
  description?: string;
  state: "STARTED" | "STOPPED";
  crossAccount: boolean;
  tags: Record<string, string>;
}

const specs = {
  registries: regional<RegistryRec>(),
  /** Keyed `<registry>|<schema>`. */
  schemas: regional<SchemaRec>(),
  /** Keyed `<registry>|<schema>|<version, 10 digits>`: a schema's versions share a prefix, in order. */
  versions: regional<VersionRec>(),
  /** Keyed `<registry>|<schema>|<version>|<language>`. */
  bindings: regional<CodeBindingRec>(),
  discoverers: regional<DiscovererRec>(),
  /** A discovered schema's merged type tree (discovery.ts), by schema name: what later events merge into. */
  trees: regional<import("./infer.js").EnvelopeTree>(),
};
export const schemasState = defineState("schemas", specs);
export type Tables = TablesOf<typeof specs>;
export const tables = (ctx: HandlerContext): Tables => schemasState.of(ctx);
export { transaction } from "../../core/state.js";

export const AWS_REGISTRY = "aws.events";
export const DISCOVERED_REGISTRY = "discovered-schemas";
export const schemaKey = (registry: string, name: string): string => `${registry}|${name}`;
export const versionKey = (registry: string, name: string, v: number): string => `${registry}|${name}|${String(v).padStart(10, "0")}`;

export const registryArn = (where: ArnScope, name: string): string => regionalArn(where, "schemas", `registry/${name}`);
export const schemaArn = (where: ArnScope, registry: string, name: string): string => regionalArn(where, "schemas", `schema/${registry}/${name}`);
export const discovererArn = (where: ArnScope, id: string): string => regionalArn(where, "schemas", `discoverer/${id}`);

// The Schemas API answers every error as the model's ErrorOutput: {"Code": "<the error>", "Message": "…"}.
export const badRequest = (message: string): BadRequestException => new BadRequestException(message, { Code: "BadRequestException" });
export const notFound = (message: string): NotFoundException => new NotFoundException(message, { Code: "NotFoundException" });
export const conflict = (message: string): ConflictException => new ConflictException(message, { Code: "ConflictException" });

/** One page of a List or Search operation (100 by default), its token bound to the operation and its filters. */
export const page = <T>(operation: string, items: T[], key: (t: T) => string, input: { NextToken?: string; Limit?: number }, bind: string) =>
  pageByKey(items, key, {
    operation,
    token: input.NextToken,
    max: input.Limit ?? 100,
    invalid: () => badRequest("Invalid NextToken."), // unverified wording
    bind,
  });

/** What the start hook returns: the discoverers' started buses and the inference queue (discovery.ts). */
export interface SchemasInstance {
  host: ServiceHost;
  /** `<account>/<region>/<bus ARN>` → whether its started discoverers take other accounts' events; absent: none started. */
  started: Map<string, { crossAccount: boolean }>;
  /** Queues events for inference off the request's path (discovery.ts). */
  enqueue(account: string, region: string, busArn: string, event: Record<string, unknown>): void;
  /** Drops what discovery remembers of a discovered schema that was deleted, so the next event makes it again. */
  forget(account: string, region: string, name: string): void;
  /** Recomputes `started` for one account and region from the stored discoverers. */
  refresh(account: string, region: string): void;
}
export const startedKey = (account: string, region: string, busArn: string): string => `${account}/${region}/${busArn}`;
