// Logs Insights records: queries (their text, range, groups, status, and once done their results and statistics) and
// saved query definitions, per account and region, in tables of their own beside the service's other ones.
import { defineState, regional } from "../../../core/state.js";
import type { QueryParameter, QueryStatus } from "../api.generated.js";
import type { QueryOutput } from "./run.js";

export interface QueryRec {
  queryId: string;
  queryString: string;
  /** Group names as given (logGroupName, logGroupNames, or identifiers resolved to names), in order. */
  groups: string[];
  /** StartQuery's range, epoch seconds. */
  startTime: number;
  endTime: number;
  limit?: number;
  status: QueryStatus;
  createTime: number;
  /** When it completed, failed, was cancelled or timed out (ms). */
  endedAt?: number;
  output?: QueryOutput;
  error?: string;
}

export interface QueryDefinitionRec {
  queryDefinitionId: string;
  name: string;
  queryString: string;
  logGroupNames?: string[];
  parameters?: QueryParameter[];
  lastModified: number;
}

export const insightsState = defineState("cloudwatch-logs", {
  /** By queryId. */
  queries: regional<QueryRec>("insights-queries"),
  /** By queryDefinitionId. */
  queryDefinitions: regional<QueryDefinitionRec>("query-definitions"),
});
