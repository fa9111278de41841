// Saved Logs Insights queries: PutQueryDefinition (create, or replace every field of an existing one by id),
// DescribeQueryDefinitions (name prefix, paged) and DeleteQueryDefinition.
import { uuid4 } from "../../../core/ids.js";
import { pageByKey } from "../../../core/paging.js";
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException, type CloudwatchLogsApi } from "../api.generated.js";
import { insightsState, type QueryDefinitionRec } from "./state.js";

// CloudWatch Logs quotas: 1000 saved query definitions per account per Region. // unverified: figure from the quotas page
const MAX_DEFINITIONS = 1000;

const notFound = () => new ResourceNotFoundException("The specified query definition does not exist."); // unverified wording

export const definitionHandlers = {
  putQueryDefinition(input, ctx) {
    if (input.queryLanguage !== undefined && input.queryLanguage !== "CWLI") {
      throw new InvalidParameterException(`Stratus runs Logs Insights QL (CWLI) queries only; ${input.queryLanguage} is not supported.`);
    }
    const table = insightsState.of(ctx).queryDefinitions;
    let id = input.queryDefinitionId;
    if (id !== undefined) {
      if (!table.has(id)) throw notFound();
    } else {
      if (table.count() >= MAX_DEFINITIONS) throw new LimitExceededException("Resource limit exceeded."); // unverified wording
      id = uuid4();
    }
    // An update replaces every field: logGroupNames left out leaves none (API_PutQueryDefinition).
    const rec: QueryDefinitionRec = {
      queryDefinitionId: id,
      name: input.name,
      queryString: input.queryString,
      ...(input.logGroupNames?.length ? { logGroupNames: input.logGroupNames } : {}),
      ...(input.parameters?.length ? { parameters: input.parameters } : {}),
      lastModified: ctx.now(),
    };
    table.put(id, rec);
    return { queryDefinitionId: id };
  },

  describeQueryDefinitions(input, ctx) {
    if (input.queryLanguage !== undefined && input.queryLanguage !== "CWLI") return { queryDefinitions: [] };
    const prefix = input.queryDefinitionNamePrefix ?? "";
    const all = insightsState
      .of(ctx)
      .queryDefinitions.list()
      .map((e) => e.value)
      .filter((d) => d.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.queryDefinitionId < b.queryDefinitionId ? -1 : 1));
    const page = pageByKey(all, (d) => `${d.name}\u0000${d.queryDefinitionId}`, {
      operation: "DescribeQueryDefinitions",
      token: input.nextToken,
      max: input.maxResults ?? 1000,
      bind: prefix,
      invalid: () => new InvalidParameterException("The specified nextToken is invalid."), // unverified wording
    });
    return {
      queryDefinitions: page.items.map((d) => ({
        queryLanguage: "CWLI" as const,
        queryDefinitionId: d.queryDefinitionId,
        name: d.name,
        queryString: d.queryString,
        lastModified: d.lastModified,
        ...(d.logGroupNames ? { logGroupNames: d.logGroupNames } : {}),
        ...(d.parameters ? { parameters: d.parameters } : {}),
      })),
      ...(page.next ? { nextToken: page.next } : {}),
    };
  },

  deleteQueryDefinition(input, ctx) {
    const table = insightsState.of(ctx).queryDefinitions;
    if (!table.delete(input.queryDefinitionId)) throw notFound();
    return { success: true };
  },
} satisfies Partial<CloudwatchLogsApi>;
