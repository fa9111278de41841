// Registries: aws.events (AWS's own schemas, in every account and region, read-only), discovered-schemas (made by
// the first discoverer) and custom ones; ListRegistries' Scope (LOCAL: the account's own, AWS: aws.events) and paging;
// the registry policy with its RevisionId.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { PreconditionFailedException, type RegistrySummary, type SchemasApi } from "./api.generated.js";
import { AWS_REGISTRY, badRequest, conflict, DISCOVERED_REGISTRY, notFound, page, registryArn, tables, transaction, type RegistryRec } from "./state.js";
import { deleteSchemaRecords } from "./schema-store.js";

const AWS_EVENTS: RegistryRec = { name: AWS_REGISTRY, description: "Amazon EventBridge AWS event schemas", tags: {}, created: 0 }; // unverified wording

/** A registry of the caller's, or aws.events; undefined when there is none of that name. */
export function findRegistry(ctx: HandlerContext, name: string): RegistryRec | undefined {
  return name === AWS_REGISTRY ? AWS_EVENTS : tables(ctx).registries.get(name);
}

export function mustRegistry(ctx: HandlerContext, name: string | undefined): RegistryRec {
  const r = name === undefined ? undefined : findRegistry(ctx, name);
  if (!r) throw notFound(`Registry with name ${name} does not exist.`); // unverified wording
  return r;
}

/** A registry the caller may change: not aws.events. */
export function ownRegistry(ctx: HandlerContext, name: string | undefined): RegistryRec {
  const r = mustRegistry(ctx, name);
  if (r.name === AWS_REGISTRY) throw badRequest(`Registry ${AWS_REGISTRY} is managed by AWS and cannot be modified.`); // unverified wording
  return r;
}

/** discovered-schemas, made when first needed (a discoverer's first schema, or the first discoverer). */
export function ensureDiscoveredRegistry(t: ReturnType<typeof tables>, now: number): void {
  if (!t.registries.get(DISCOVERED_REGISTRY)) t.registries.put(DISCOVERED_REGISTRY, { name: DISCOVERED_REGISTRY, tags: {}, created: now });
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

function output(ctx: HandlerContext, r: RegistryRec) {
  return { Description: r.description, RegistryArn: registryArn(ctx, r.name), RegistryName: r.name, Tags: r.tags };
}

export const registries = {
  createRegistry(input, ctx) {
    if (!NAME.test(input.RegistryName)) throw badRequest("Registry name must match ^[\\.\\-_A-Za-z@0-9]+$ and be at most 64 characters."); // unverified wording
    if (findRegistry(ctx, input.RegistryName) || input.RegistryName === DISCOVERED_REGISTRY)
      throw conflict(`Registry with name ${input.RegistryName} already exists.`); // unverified wording
    const r: RegistryRec = { name: input.RegistryName, description: input.Description, tags: input.Tags ?? {}, created: ctx.now() };
    tables(ctx).registries.put(r.name, r);
    return output(ctx, r);
  },
  describeRegistry(input, ctx) {
    return output(ctx, mustRegistry(ctx, input.RegistryName));
  },
  updateRegistry(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    if (input.Description !== undefined) r.description = input.Description;
    tables(ctx).registries.put(r.name, r);
    return output(ctx, r);
  },
  deleteRegistry(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    const t = tables(ctx);
    transaction(ctx, () => {
      for (const s of t.schemas.list({ prefix: `${r.name}|` })) deleteSchemaRecords(t, s.value);
      t.registries.delete(r.name);
    });
    return {};
  },
  listRegistries(input, ctx) {
    const scope = input.Scope;
    if (scope !== undefined && scope !== "LOCAL" && scope !== "AWS") throw badRequest(`Invalid scope ${scope}. Valid values are LOCAL and AWS.`); // unverified wording
    const all: RegistryRec[] = [];
    if (scope !== "LOCAL") all.push(AWS_EVENTS);
    if (scope !== "AWS") for (const { value } of tables(ctx).registries.list()) all.push(value);
    const prefix = input.RegistryNamePrefix ?? "";
    const items = all.filter((r) => r.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const p = page("ListRegistries", items, (r) => r.name, input, `${scope ?? ""}|${prefix}`);
    const Registries: RegistrySummary[] = p.items.map((r) => ({ RegistryArn: registryArn(ctx, r.name), RegistryName: r.name, Tags: r.tags }));
    return { Registries, NextToken: p.next };
  },

  putResourcePolicy(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    try {
      const doc: unknown = JSON.parse(input.Policy);
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error();
    } catch {
      throw badRequest("Policy is not a valid JSON document."); // unverified wording
    }
    if (input.RevisionId !== undefined && r.revisionId !== undefined && input.RevisionId !== r.revisionId)
      throw new PreconditionFailedException(`The RevisionId ${input.RevisionId} does not match the current revision of the policy.`, {
        Code: "PreconditionFailedException",
      }); // unverified wording
    r.policy = input.Policy;
    r.revisionId = randomUUID();
    tables(ctx).registries.put(r.name, r);
    return { Policy: r.policy, RevisionId: r.revisionId };
  },
  getResourcePolicy(input, ctx) {
    const r = mustRegistry(ctx, input.RegistryName);
    if (!r.policy) throw notFound(`Resource-based policy not found for registry ${r.name}.`); // unverified wording
    return { Policy: r.policy, RevisionId: r.revisionId };
  },
  deleteResourcePolicy(input, ctx) {
    const r = ownRegistry(ctx, input.RegistryName);
    if (!r.policy) throw notFound(`Resource-based policy not found for registry ${r.name}.`); // unverified wording
    r.policy = undefined;
    r.revisionId = undefined;
    tables(ctx).registries.put(r.name, r);
    return {};
  },
} satisfies Partial<SchemasApi>;
