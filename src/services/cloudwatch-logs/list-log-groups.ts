// ListLogGroups: the account's groups in the region as LogGroupSummary (name, ARN, class), filtered by a name pattern
// (a case-sensitive regular expression of up to five `|`-separated alternatives, `^` anchoring one to the start), a
// class and tags, a page at a time in name order. The filters Stratus has nothing to match with (data sources, field
// indexes, linked accounts) are refused rather than ignored.
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import { InvalidParameterException, type CloudwatchLogsApi, type LogGroupSummary } from "./api.generated.js";
import { groupArn, groups, invalidToken } from "./state.js";

const DEFAULT_LIMIT = 50;
const BATCH = 500;

export const listLogGroupsHandlers = {
  listLogGroups(input, ctx) {
    if (input.dataSources?.length || input.fieldIndexNames?.length) {
      throw new InvalidParameterException(
        "Stratus does not index log groups by data source or field index: dataSources and fieldIndexNames are not supported.",
      );
    }
    if (input.includeLinkedAccounts || input.accountIdentifiers?.length) {
      throw new InvalidParameterException("Stratus has no cross-account observability: includeLinkedAccounts and accountIdentifiers are not supported.");
    }
    // The model's pattern admits only [.-_/#A-Za-z0-9], `^` and `|`: a valid regular expression as given.
    const pattern = input.logGroupNamePattern !== undefined ? new RegExp(input.logGroupNamePattern) : undefined;
    const tagFilters = input.logGroupTags ?? [];
    const limit = input.limit ?? DEFAULT_LIMIT;
    const query = fingerprint([input.logGroupNamePattern ?? "", input.logGroupClass ?? "", tagFilters]);
    let cursor = input.nextToken ? decodePageToken<string>("ListLogGroups", input.nextToken, invalidToken, { bind: query }) : undefined;
    const out: LogGroupSummary[] = [];
    for (;;) {
      const batch = groups(ctx).list({ after: cursor, limit: BATCH });
      for (const { key, value: g } of batch) {
        if (out.length === limit) return { logGroups: out, nextToken: encodePageToken("ListLogGroups", cursor!, query) };
        cursor = key;
        if (pattern && !pattern.test(key)) continue;
        if (input.logGroupClass && g.logGroupClass !== input.logGroupClass) continue;
        if (!tagFilters.every((f) => f.key in g.tags && (!f.values?.length || f.values.includes(g.tags[f.key])))) continue;
        out.push({ logGroupName: g.name, logGroupArn: groupArn(ctx, g.name), logGroupClass: g.logGroupClass });
      }
      if (batch.length < BATCH) return { logGroups: out };
    }
  },
} satisfies Partial<CloudwatchLogsApi>;
