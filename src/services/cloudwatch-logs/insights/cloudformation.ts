// AWS::Logs::QueryDefinition for CloudFormation (core/resources.ts), through PutQueryDefinition and its siblings.
// Ref is the query definition's id, as is GetAtt QueryDefinitionId
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-querydefinition.html#aws-resource-logs-querydefinition-return-values);
// every property updates in place.
import { isServiceError, ServiceError } from "../../../core/errors.js";
import type { ReadRequest, ResourceProviders, ResourceRequest } from "../../../core/resources.js";
import type { QueryDefinition, QueryLanguage, QueryParameter } from "../api.generated.js";

const PROPS = new Set(["Name", "QueryString", "LogGroupNames", "QueryLanguage", "Parameters"]);
const TYPE = "AWS::Logs::QueryDefinition";

function input(req: ResourceRequest) {
  const p = req.properties;
  const extra = Object.keys(p).filter((k) => !PROPS.has(k));
  if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement ${TYPE} properties ${extra.join(", ")} yet.`, 400);
  const params = p.Parameters as { Name: string; DefaultValue?: string; Description?: string }[] | undefined;
  return {
    name: String(p.Name),
    queryString: String(p.QueryString),
    logGroupNames: (p.LogGroupNames as string[] | undefined)?.map(String),
    queryLanguage: p.QueryLanguage as QueryLanguage | undefined,
    parameters: params?.map((x): QueryParameter => ({ name: x.Name, defaultValue: x.DefaultValue, description: x.Description })),
  };
}

async function all(ctx: ReadRequest["ctx"]): Promise<QueryDefinition[]> {
  const out: QueryDefinition[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.client("cloudwatch-logs").describeQueryDefinitions({ nextToken });
    out.push(...(page.queryDefinitions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

const result = (id: string) => ({ physicalId: id, ref: id, attributes: { QueryDefinitionId: id } });

export const queryDefinitionProviders = {
  [TYPE]: {
    async create(req) {
      const { queryDefinitionId } = await req.ctx.client("cloudwatch-logs").putQueryDefinition(input(req));
      return result(queryDefinitionId!);
    },
    async update(req) {
      await req.ctx.client("cloudwatch-logs").putQueryDefinition({ ...input(req), queryDefinitionId: req.physicalId });
      return result(req.physicalId);
    },
    async read({ ctx, physicalId }) {
      const d = (await all(ctx)).find((x) => x.queryDefinitionId === physicalId);
      if (!d) return undefined;
      const model: Record<string, unknown> = { QueryDefinitionId: physicalId, Name: d.name, QueryString: d.queryString, QueryLanguage: d.queryLanguage };
      if (d.logGroupNames?.length) model.LogGroupNames = d.logGroupNames;
      if (d.parameters?.length) {
        model.Parameters = d.parameters.map((x) => ({
          Name: x.name,
          ...(x.defaultValue !== undefined ? { DefaultValue: x.defaultValue } : {}),
          ...(x.description !== undefined ? { Description: x.description } : {}),
        }));
      }
      return model;
    },
    async list(ctx) {
      return (await all(ctx)).flatMap((d) => (d.queryDefinitionId ? [d.queryDefinitionId] : []));
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch-logs").deleteQueryDefinition({ queryDefinitionId: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ResourceNotFoundException")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
