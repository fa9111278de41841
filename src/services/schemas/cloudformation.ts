// AWS::EventSchemas::Registry, ::Schema, ::Discoverer and ::RegistryPolicy for CloudFormation (core/resources.ts),
// through Schemas' own operations. Refs as AWS's resource reference documents them: a registry's and a schema's ARN,
// a discoverer's ARN, a registry policy's Id; GetAtt RegistryArn/RegistryName, SchemaArn/SchemaName/SchemaVersion,
// DiscovererArn/DiscovererId/State, Id.
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { Type } from "./api.generated.js";

const gone = (e: unknown) => isServiceError(e) && e.code === "NotFoundException";
const ignoreGone = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (!gone(e)) throw e;
  }
};
const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v));
const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/** CloudFormation's Tags ([{Key, Value}]) as the Schemas API's map. */
function tagMap(v: unknown): Record<string, string> | undefined {
  if (!Array.isArray(v) || !v.length) return undefined;
  return Object.fromEntries((v as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
}

async function syncTags(req: ResourceRequest, arn: string): Promise<void> {
  const api = req.ctx.client("schemas");
  const now = tagMap(req.properties.Tags) ?? {};
  const removed = Object.keys(tagMap(req.previous?.Tags) ?? {}).filter((k) => !(k in now));
  if (removed.length) await api.untagResource({ ResourceArn: arn, TagKeys: removed });
  if (Object.keys(now).length) await api.tagResource({ ResourceArn: arn, Tags: now });
}

const schemaId = (registry: string, name: string) => `${registry}|${name}`;
const splitSchemaId = (id: string) => {
  const i = id.indexOf("|");
  return { registry: id.slice(0, i), name: id.slice(i + 1) };
};

async function describeSchema(req: { ctx: ResourceRequest["ctx"] }, id: string) {
  const { registry, name } = splitSchemaId(id);
  const s = await req.ctx.client("schemas").describeSchema({ RegistryName: registry, SchemaName: name });
  return {
    physicalId: id,
    ref: s.SchemaArn as string,
    attributes: {
      SchemaArn: s.SchemaArn,
      SchemaName: s.SchemaName,
      SchemaVersion: s.SchemaVersion,
      LastModified: s.LastModified?.toISOString(),
      VersionCreatedDate: s.VersionCreatedDate?.toISOString(),
    },
  };
}

export default {
  "AWS::EventSchemas::Registry": {
    async create(req) {
      const p = req.properties;
      const name = str(p.RegistryName) ?? req.generateName(64);
      const r = await req.ctx.client("schemas").createRegistry({ RegistryName: name, Description: str(p.Description), Tags: tagMap(p.Tags) });
      return { physicalId: r.RegistryArn as string, attributes: { RegistryArn: r.RegistryArn, RegistryName: name } };
    },
    async update(req) {
      const name = req.physicalId.slice(req.physicalId.indexOf("registry/") + "registry/".length);
      await req.ctx.client("schemas").updateRegistry({ RegistryName: name, Description: str(req.properties.Description) ?? "" });
      await syncTags(req, req.physicalId);
      return { physicalId: req.physicalId, attributes: { RegistryArn: req.physicalId, RegistryName: name } };
    },
    async read({ ctx, physicalId }) {
      const name = physicalId.slice(physicalId.indexOf("registry/") + "registry/".length);
      try {
        const r = await ctx.client("schemas").describeRegistry({ RegistryName: name });
        return { RegistryName: r.RegistryName, Description: r.Description, RegistryArn: r.RegistryArn };
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
    },
    async delete(req) {
      const name = req.physicalId.slice(req.physicalId.indexOf("registry/") + "registry/".length);
      await ignoreGone(req.ctx.client("schemas").deleteRegistry({ RegistryName: name }));
    },
  },
  "AWS::EventSchemas::Schema": {
    async create(req) {
      const p = req.properties;
      const registry = str(p.RegistryName) as string;
      const name = str(p.SchemaName) ?? req.generateName(64);
      await req.ctx.client("schemas").createSchema({
        RegistryName: registry,
        SchemaName: name,
        Type: p.Type as Type,
        Content: text(p.Content) as string,
        Description: str(p.Description),
        Tags: tagMap(p.Tags),
      });
      return describeSchema(req, schemaId(registry, name));
    },
    async update(req) {
      const p = req.properties;
      const { registry, name } = splitSchemaId(req.physicalId);
      const s = await req.ctx
        .client("schemas")
        .updateSchema({ RegistryName: registry, SchemaName: name, Type: p.Type as Type, Content: text(p.Content), Description: str(p.Description) ?? "" });
      await syncTags(req, s.SchemaArn as string);
      return describeSchema(req, req.physicalId);
    },
    async delete(req) {
      const { registry, name } = splitSchemaId(req.physicalId);
      await ignoreGone(req.ctx.client("schemas").deleteSchema({ RegistryName: registry, SchemaName: name }));
    },
  },
  "AWS::EventSchemas::Discoverer": {
    async create(req) {
      const p = req.properties;
      const d = await req.ctx.client("schemas").createDiscoverer({
        SourceArn: str(p.SourceArn) as string,
        Description: str(p.Description),
        CrossAccount: p.CrossAccount === undefined ? undefined : p.CrossAccount === true || p.CrossAccount === "true",
        Tags: tagMap(p.Tags),
      });
      return { physicalId: d.DiscovererArn as string, attributes: { DiscovererArn: d.DiscovererArn, DiscovererId: d.DiscovererId, State: d.State } };
    },
    async update(req) {
      const p = req.properties;
      const id = req.physicalId.slice(req.physicalId.lastIndexOf("/") + 1);
      const d = await req.ctx.client("schemas").updateDiscoverer({
        DiscovererId: id,
        Description: str(p.Description) ?? "",
        CrossAccount: p.CrossAccount === undefined ? undefined : p.CrossAccount === true || p.CrossAccount === "true",
      });
      await syncTags(req, req.physicalId);
      return { physicalId: req.physicalId, attributes: { DiscovererArn: d.DiscovererArn, DiscovererId: d.DiscovererId, State: d.State } };
    },
    async delete(req) {
      await ignoreGone(req.ctx.client("schemas").deleteDiscoverer({ DiscovererId: req.physicalId.slice(req.physicalId.lastIndexOf("/") + 1) }));
    },
  },
  "AWS::EventSchemas::RegistryPolicy": {
    async create(req) {
      const p = req.properties;
      const registry = str(p.RegistryName) as string;
      const r = await req.ctx.client("schemas").putResourcePolicy({ RegistryName: registry, Policy: text(p.Policy) as string, RevisionId: str(p.RevisionId) });
      // The policy's Id: its registry's name (one policy per registry).
      return { physicalId: registry, attributes: { Id: registry, RevisionId: r.RevisionId } };
    },
    async update(req) {
      const p = req.properties;
      const r = await req.ctx.client("schemas").putResourcePolicy({ RegistryName: req.physicalId, Policy: text(p.Policy) as string });
      return { physicalId: req.physicalId, attributes: { Id: req.physicalId, RevisionId: r.RevisionId } };
    },
    async delete(req) {
      await ignoreGone(req.ctx.client("schemas").deleteResourcePolicy({ RegistryName: req.physicalId }));
    },
  },
} satisfies ResourceProviders;
