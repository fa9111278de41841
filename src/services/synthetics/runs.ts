// A canary's runs: GetCanaryRuns (newest first, paged) and DescribeCanariesLastRun (each canary's latest run).
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import { type CanaryRun, type SyntheticsApi, ValidationException } from "./api.generated.js";
import { mustCanary, type RunRec, tables } from "./state.js";

const invalidToken = () => new ValidationException("The specified NextToken is not valid."); // unverified wording

export function toRun(r: RunRec): CanaryRun {
  return {
    Id: r.id,
    Name: r.canary,
    Status: {
      State: r.state,
      ...(r.stateReason ? { StateReason: r.stateReason } : {}),
      ...(r.stateReasonCode ? { StateReasonCode: r.stateReasonCode } : {}),
      ...(r.state !== "RUNNING" ? { TestResult: r.state } : {}),
    },
    Timeline: { Started: new Date(r.started), ...(r.completed ? { Completed: new Date(r.completed) } : {}) },
    ArtifactS3Location: r.artifactS3Location,
  };
}

export const runs = {
  getCanaryRuns(input, ctx) {
    mustCanary(ctx, input.Name);
    if (input.DryRunId || input.RunType === "DRY_RUN")
      throw new ValidationException("Stratus does not run dry runs: DryRunId and RunType DRY_RUN are not supported.");
    // Keys sort newest first (state.ts runKey): a page is one ranged read after the token's key.
    const after = input.NextToken === undefined ? undefined : decodePageToken<string>("GetCanaryRuns", input.NextToken, invalidToken, { bind: input.Name });
    const max = input.MaxResults ?? 100;
    const got = tables(ctx).runs.list({ prefix: `${input.Name}|`, ...(after !== undefined ? { after } : {}), limit: max + 1 });
    const page = got.slice(0, max);
    const more = got.length > max;
    return {
      CanaryRuns: page.map((e) => toRun(e.value)),
      ...(more && page.length ? { NextToken: encodePageToken("GetCanaryRuns", page[page.length - 1]!.key, input.Name) } : {}),
    };
  },

  describeCanariesLastRun(input, ctx) {
    const names = input.Names ? new Set(input.Names) : undefined;
    const t = tables(ctx);
    const canaries = new Map(
      t.canaries
        .list()
        .filter((e) => !names || names.has(e.value.name))
        .map((e) => [e.value.name, e.value]),
    );
    const all = [...canaries.keys()];
    const after = input.NextToken === undefined ? undefined : decodePageToken<string>("DescribeCanariesLastRun", input.NextToken, invalidToken);
    const rest = after === undefined ? all : all.filter((n) => n > after);
    const max = input.MaxResults ?? 100;
    const page = rest.slice(0, max);
    return {
      CanariesLastRun: page.map((n) => {
        const key = canaries.get(n)?.lastRun;
        const last = key ? t.runs.get(key) : undefined;
        return { CanaryName: n, ...(last ? { LastRun: toRun(last) } : {}) };
      }),
      ...(rest.length > max ? { NextToken: encodePageToken("DescribeCanariesLastRun", page[page.length - 1]!) } : {}),
    };
  },
} satisfies Partial<SyntheticsApi>;
