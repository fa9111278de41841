// StartQuery, GetQueryResults, StopQuery, DescribeQueries and GetLogRecord. A query is compiled when started (syntax
// errors are MalformedQueryException with queryCompileError's location), stored Scheduled, then run in the background
// (Running, then Complete / Cancelled / Timeout / Failed with its results and statistics kept in its record). A query
// the server stopped in the middle of is marked Failed when the service starts again.
import { unlockGroup } from "../encryption.js";
import type { HandlerContext } from "../../../core/context.js";
import { uuid4 } from "../../../core/ids.js";
import { pageByKey } from "../../../core/paging.js";
import type { ServiceHost } from "../../../core/service.js";
import {
  InvalidParameterException,
  LimitExceededException,
  MalformedQueryException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type QueryInfo,
} from "../api.generated.js";
import { eventStore, groupNameOf, groups, retentionFloor, streamPrefix, streams } from "../state.js";
import { InsightsSyntaxError } from "./lexer.js";
import { parseQuery } from "./parse.js";
import { decodePtr, jsonFields, type ScanGroup } from "./rows.js";
import { compilePlan, type Plan } from "./run.js";
import { insightsState, type QueryRec } from "./state.js";
import { toText } from "./values.js";

// "You are limited to 100 concurrent CloudWatch Logs Insights queries per account" (CloudWatchLogs-Insights-Query-History).
const MAX_CONCURRENT = 100;
// "Queries time out after 60 minutes of runtime." (API_StartQuery)
const TIMEOUT_MS = 60 * 60 * 1000;
// Query results are available for 7 days (API_GetQueryResults); older records are dropped.
const KEEP_MS = 7 * 86_400_000;
// StartQuery's logGroupNames / logGroupIdentifiers take at most 50 (API_StartQuery).
const MAX_GROUPS = 50;

const queries = (ctx: HandlerContext) => insightsState.of(ctx).queries;
const active = (r: QueryRec) => r.status === "Scheduled" || r.status === "Running";
const notFound = () => new ResourceNotFoundException("Query does not exist."); // unverified wording

/**
 * The report of Logs' inner call that AWS appends to StartQuery's refusals: "… (Service: AWSLogs; Status Code: 400;
 * Error Code: MalformedQueryException; Request ID: <uuid>; Proxy: null)" (boto/boto3#3450 for MalformedQueryException,
 * LocalStack's AWS-recorded test_logs_queries.snapshot.json for ResourceNotFoundException).
 */
const innerReport = (code: string) => ` (Service: AWSLogs; Status Code: 400; Error Code: ${code}; Request ID: ${uuid4()}; Proxy: null)`;

function compile(queryString: string, limit: number | undefined): Plan {
  try {
    return compilePlan(parseQuery(queryString), limit);
  } catch (e) {
    if (!(e instanceof InsightsSyntaxError)) throw e;
    throw new MalformedQueryException(`${e.message}${innerReport("MalformedQueryException")}`, {
      queryCompileError: { location: { startCharOffset: e.start, endCharOffset: e.end }, message: e.message },
    });
  }
}

function resolveGroups(ctx: HandlerContext, input: { logGroupName?: string; logGroupNames?: string[]; logGroupIdentifiers?: string[] }): string[] {
  const given = [input.logGroupName !== undefined, input.logGroupNames !== undefined, input.logGroupIdentifiers !== undefined].filter(Boolean).length;
  if (given > 1) {
    throw new InvalidParameterException("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers may be specified."); // unverified wording
  }
  if (given === 0) {
    // Stratus does not run the SOURCE command, so the groups must be named.
    throw new InvalidParameterException("Either logGroupName, logGroupNames or logGroupIdentifiers must be specified."); // unverified wording
  }
  const names =
    input.logGroupName !== undefined
      ? [input.logGroupName]
      : input.logGroupNames
        ? input.logGroupNames
        : input.logGroupIdentifiers!.map((id) => groupNameOf(ctx, undefined, id));
  if (names.length > MAX_GROUPS) throw new InvalidParameterException(`The maximum number of log groups that can be queried is ${MAX_GROUPS}.`); // unverified wording
  for (const n of names) {
    // "Log group '<name>' does not exist for account ID '111111111111'", with the inner report (innerReport's sources).
    if (!groups(ctx).has(n)) {
      throw new ResourceNotFoundException(`Log group '${n}' does not exist for account ID '${ctx.account}'${innerReport("ResourceNotFoundException")}`);
    }
  }
  return [...new Set(names)];
}

function scanGroups(ctx: HandlerContext, names: string[]): ScanGroup[] {
  const out: ScanGroup[] = [];
  for (const name of names) {
    const g = groups(ctx).get(name);
    if (!g) continue;
    const ids = new Map<number, string>();
    for (const { value } of streams(ctx).list({ prefix: streamPrefix(name) })) ids.set(value.id, value.name);
    out.push({ name, gid: g.id, streams: ids, floor: retentionFloor(g, ctx.now()) });
  }
  return out;
}

async function execute(ctx: HandlerContext, id: string, plan: Plan): Promise<void> {
  const table = queries(ctx);
  let rec = table.get(id);
  if (rec?.status !== "Scheduled") return;
  rec.status = "Running";
  table.put(id, rec);
  const startedAt = Date.now();
  let timedOut = false;
  try {
    // A KMS-encrypted group's data keys, from KMS (a disabled key fails the query, as it fails any read).
    for (const name of rec.groups) {
      const g = groups(ctx).get(name);
      if (g) await unlockGroup(ctx, g);
    }
    const output = await plan.run(
      eventStore(ctx),
      { account: ctx.account, groups: scanGroups(ctx, rec.groups), start: rec.startTime * 1000, end: rec.endTime * 1000 + 999 },
      () => {
        if (Date.now() - startedAt > TIMEOUT_MS) timedOut = true;
        return timedOut || table.get(id)?.status !== "Running";
      },
    );
    rec = table.get(id);
    if (rec?.status !== "Running") return;
    table.put(
      id,
      output ? { ...rec, status: "Complete", output, endedAt: ctx.now() } : { ...rec, status: timedOut ? "Timeout" : "Cancelled", endedAt: ctx.now() },
    );
  } catch (e) {
    try {
      rec = table.get(id);
      if (rec && active(rec)) table.put(id, { ...rec, status: "Failed", error: String((e as Error)?.message ?? e), endedAt: ctx.now() });
    } catch {
      // The store closed under the query (the server is stopping): the record is failed when the service starts again.
    }
  }
}

/** At start: queries the previous process left Scheduled or Running will never finish; they are Failed. */
export function failInterruptedQueries(host: ServiceHost): void {
  for (const { tables } of insightsState.all(host, "queries")) {
    for (const { key, value } of tables.queries.list()) {
      if (active(value)) tables.queries.put(key, { ...value, status: "Failed", error: "The server stopped while the query ran.", endedAt: host.clock.now() });
    }
  }
}

/**
 * The query as DescribeQueries shows it: AWS prefixes a one-group query with the group and time range it ran over,
 * `SOURCE "<group>" START=<startTime>000 END=<endTime>999 | <query>` (LocalStack's AWS-recorded
 * test_logs_queries.snapshot.json, describe-queries). Several groups: shown as given (no recorded form).
 */
const shownQuery = (r: QueryRec) =>
  r.groups.length === 1 ? `SOURCE "${r.groups[0]}" START=${r.startTime}000 END=${r.endTime}999 | ${r.queryString}` : r.queryString;

function info(r: QueryRec): QueryInfo {
  return {
    queryLanguage: "CWLI",
    queryId: r.queryId,
    queryString: shownQuery(r),
    status: r.status,
    createTime: r.createTime,
    logGroupName: r.groups[0],
    ...(r.endedAt !== undefined ? { queryDuration: r.endedAt - r.createTime } : {}),
    ...(r.output ? { bytesScanned: r.output.statistics.bytesScanned } : {}),
  };
}

export const queryHandlers = {
  startQuery(input, ctx) {
    if (input.queryLanguage !== undefined && input.queryLanguage !== "CWLI") {
      throw new InvalidParameterException(`Stratus runs Logs Insights QL (CWLI) queries only; ${input.queryLanguage} is not supported.`);
    }
    const names = resolveGroups(ctx, input);
    if (input.startTime > input.endTime) throw new InvalidParameterException("endTime must be greater than or equal to startTime."); // unverified wording
    const plan = compile(input.queryString, input.limit);
    const table = queries(ctx);
    const now = ctx.now();
    let running = 0;
    for (const { key, value } of table.list()) {
      if (active(value)) running++;
      else if (value.endedAt !== undefined && now - value.endedAt > KEEP_MS) table.delete(key);
    }
    // The wording AWS answers (seen with the former limit of 10): "Account maximum query concurrency limit of [10] reached."
    if (running >= MAX_CONCURRENT) throw new LimitExceededException(`Account maximum query concurrency limit of [${MAX_CONCURRENT}] reached.`);
    const queryId = uuid4();
    table.put(queryId, {
      queryId,
      queryString: input.queryString,
      groups: names,
      startTime: input.startTime,
      endTime: input.endTime,
      limit: input.limit,
      status: "Scheduled",
      createTime: now,
    });
    setImmediate(() => void execute(ctx, queryId, plan));
    return { queryId };
  },

  getQueryResults(input, ctx) {
    const r = queries(ctx).get(input.queryId);
    if (!r) throw notFound();
    const all = r.output?.results ?? [];
    let results = all;
    let nextToken: string | undefined;
    if (input.maxItems !== undefined || input.nextToken !== undefined) {
      const from = input.nextToken ? Number.parseInt(input.nextToken, 10) : 0;
      if (!Number.isSafeInteger(from) || from < 0 || from > all.length) throw new InvalidParameterException("The specified nextToken is invalid."); // unverified wording
      const n = input.maxItems ?? all.length;
      results = all.slice(from, from + n);
      if (from + n < all.length) nextToken = String(from + n);
    }
    return {
      queryLanguage: "CWLI",
      results,
      statistics: r.output?.statistics ?? { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
      status: r.status,
      ...(nextToken ? { nextToken } : {}),
    };
  },

  stopQuery(input, ctx) {
    const table = queries(ctx);
    const r = table.get(input.queryId);
    if (!r) throw notFound();
    if (!active(r)) throw new InvalidParameterException(`Query ${input.queryId} is not running; its status is ${r.status}.`); // unverified wording
    table.put(input.queryId, { ...r, status: "Cancelled", endedAt: ctx.now() });
    return { success: true };
  },

  describeQueries(input, ctx) {
    if (input.queryLanguage !== undefined && input.queryLanguage !== "CWLI") return { queries: [] };
    const all = queries(ctx)
      .list()
      .map((e) => e.value)
      .filter((r) => (input.logGroupName === undefined || r.groups.includes(input.logGroupName)) && (input.status === undefined || r.status === input.status))
      // Newest first.
      .sort((a, b) => b.createTime - a.createTime || (a.queryId < b.queryId ? -1 : 1));
    const key = (r: QueryRec) => `${String(Number.MAX_SAFE_INTEGER - r.createTime).padStart(16, "0")}:${r.queryId}`;
    const page = pageByKey(all, key, {
      operation: "DescribeQueries",
      token: input.nextToken,
      max: input.maxResults ?? 1000,
      invalid: () => new InvalidParameterException("The specified nextToken is invalid."), // unverified wording
    });
    return { queries: page.items.map(info), ...(page.next ? { nextToken: page.next } : {}) };
  },

  async getLogRecord(input, ctx) {
    const p = decodePtr(input.logRecordPointer);
    if (!p) throw new InvalidParameterException("The specified logRecordPointer is invalid."); // unverified wording
    const g = groups(ctx).get(p.group);
    if (!g || g.id !== p.gid) throw new ResourceNotFoundException("The specified log group does not exist.");
    await unlockGroup(ctx, g);
    const ev = eventStore(ctx)
      .queryStream({ sid: p.sid, start: p.ts, end: p.ts, direction: "forward", limit: 10_000 })
      .find((e) => e.seq === p.seq);
    if (!ev) throw new ResourceNotFoundException("The specified log record does not exist."); // unverified wording
    const stream = streams(ctx)
      .list({ prefix: streamPrefix(p.group) })
      .find((s) => s.value.id === p.sid)?.value.name;
    const record: Record<string, string> = {};
    for (const [k, v] of jsonFields(ev.message) ?? []) {
      const t = toText(v);
      if (t !== undefined) record[k] = t;
    }
    Object.assign(record, {
      "@timestamp": String(ev.timestamp),
      "@ingestionTime": String(ev.ingestionTime),
      "@message": ev.message,
      "@log": `${ctx.account}:${p.group}`,
      ...(stream !== undefined ? { "@logStream": stream } : {}),
    });
    return { logRecord: record };
  },
} satisfies Partial<CloudwatchLogsApi>;
