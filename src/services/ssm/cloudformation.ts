// AWS::SSM::Parameter for CloudFormation (core/resources.ts), through SSM's own operations. Ref is the parameter's
// name; GetAtt: Type, Value. A parameter the template does not name gets `CFN-<logicalId>-<RANDOM>`, as
// CloudFormation names them (unverified against a recorded response). Tags are a map here, unlike SSM's API.
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { ParameterType, ParameterTier } from "./api.generated.js";

function input(req: ResourceRequest, name: string) {
  const p = req.properties;
  return {
    Name: name,
    Value: String(p.Value),
    Type: p.Type as ParameterType,
    Description: p.Description as string | undefined,
    AllowedPattern: p.AllowedPattern as string | undefined,
    Tier: p.Tier as ParameterTier | undefined,
    Policies: p.Policies as string | undefined,
    DataType: p.DataType as string | undefined,
  };
}

const result = (name: string, props: Record<string, unknown>) => ({ physicalId: name, ref: name, attributes: { Type: props.Type, Value: props.Value } });

export default {
  "AWS::SSM::Parameter": {
    async read({ ctx, physicalId: name }) {
      const ssm = ctx.client("ssm");
      let p: Awaited<ReturnType<typeof ssm.getParameter>>["Parameter"];
      try {
        p = (await ssm.getParameter({ Name: name })).Parameter;
      } catch (e) {
        if (isServiceError(e) && e.code === "ParameterNotFound") return undefined;
        throw e;
      }
      const [meta] = (await ssm.describeParameters({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }] })).Parameters ?? [];
      const tags = (await ssm.listTagsForResource({ ResourceType: "Parameter", ResourceId: name })).TagList ?? [];
      const model: Record<string, unknown> = { Name: name, Type: p?.Type, Value: p?.Value, DataType: p?.DataType };
      if (meta?.Description !== undefined) model.Description = meta.Description;
      if (meta?.AllowedPattern !== undefined) model.AllowedPattern = meta.AllowedPattern;
      if (meta?.Tier !== undefined) model.Tier = meta.Tier;
      if (meta?.Policies?.length) model.Policies = JSON.stringify(meta.Policies.map((x) => JSON.parse(x.PolicyText ?? "null")));
      if (tags.length) model.Tags = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
      return model;
    },
    async list(ctx) {
      const names: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("ssm").describeParameters({ MaxResults: 50, NextToken });
        names.push(...(page.Parameters ?? []).flatMap((x) => (x.Name ? [x.Name] : [])));
        NextToken = page.NextToken;
      } while (NextToken);
      return names;
    },
    async create(req) {
      const name = (req.properties.Name as string | undefined) ?? `CFN-${req.logicalId}-${req.generateName(0).split("-").pop()}`;
      const tags = req.properties.Tags as Record<string, string> | undefined;
      await req.ctx.client("ssm").putParameter({
        ...input(req, name),
        Tags: tags ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
      });
      return result(name, req.properties);
    },
    async update(req) {
      const ssm = req.ctx.client("ssm");
      await ssm.putParameter({ ...input(req, req.physicalId), Overwrite: true });
      const before = (req.previous.Tags as Record<string, string> | undefined) ?? {};
      const after = (req.properties.Tags as Record<string, string> | undefined) ?? {};
      const gone = Object.keys(before).filter((k) => !(k in after));
      if (gone.length) await ssm.removeTagsFromResource({ ResourceType: "Parameter", ResourceId: req.physicalId, TagKeys: gone });
      if (Object.keys(after).length) {
        await ssm.addTagsToResource({
          ResourceType: "Parameter",
          ResourceId: req.physicalId,
          Tags: Object.entries(after).map(([Key, Value]) => ({ Key, Value })),
        });
      }
      return result(req.physicalId, req.properties);
    },
    async delete(req) {
      try {
        await req.ctx.client("ssm").deleteParameter({ Name: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ParameterNotFound")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
