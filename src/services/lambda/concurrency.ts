// Concurrency: reserved concurrency per function (the engine enforces it: 429 TooManyRequestsException past it),
// the account's limits and usage (GetAccountSettings), and provisioned concurrency configurations.
import type { HandlerContext } from "../../core/context.js";
import type { LambdaApi, ProvisionedConcurrencyConfigListItem } from "./api.generated.js";
import { InvalidParameterValueException, ProvisionedConcurrencyConfigNotFoundException, ResourceConflictException } from "./api.generated.js";
import { engineOf } from "./engine/index.js";
import { aliasNotFound } from "./aliases.js";
import type { FunctionRec } from "./state.js";
import { LATEST, functionArn, lastModified, mustGetFunction, notFound, parseFunctionName, tables, transaction, versionKey } from "./state.js";
import { paginate } from "./versions.js";

/** AWS's default quotas for an account in a region. */
export const ACCOUNT_CONCURRENCY = 1000;
export const MIN_UNRESERVED = 100;
const TOTAL_CODE_SIZE = 80_530_636_800;
const CODE_SIZE_UNZIPPED = 262_144_000;
const CODE_SIZE_ZIPPED = 52_428_800;

const userError = (msg: string) => new InvalidParameterValueException(msg, { Type: "User" });

/** The unqualified function FunctionName names; these operations refuse versions and aliases. */
function unqualified(ctx: HandlerContext, functionName: string): FunctionRec {
  const ref = parseFunctionName(ctx, functionName);
  if (ref.qualifier !== undefined) {
    throw userError(
      "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
    );
  }
  return mustGetFunction(ctx, ref.name);
}

/** Reserved concurrency of every function in this account and region, but `except`. */
function reservedSum(ctx: HandlerContext, except?: string): number {
  let sum = 0;
  for (const { value: fn } of tables(ctx).functions.list()) if (fn.name !== except) sum += fn.reservedConcurrency ?? 0;
  return sum;
}

/** The qualifier of a provisioned concurrency call: a published version or an alias, which must exist. */
function provisionedTarget(ctx: HandlerContext, functionName: string, qualifier: string, put: boolean): { fn: FunctionRec; qualifier: string } {
  const ref = parseFunctionName(ctx, functionName, qualifier);
  const q = ref.qualifier!;
  if (q === LATEST) {
    throw userError(
      put
        ? "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        : "The function resource provided must be an alias or a published version.",
    );
  }
  const fn = mustGetFunction(ctx, ref.name);
  const t = tables(ctx);
  if (/^\d+$/.test(q)) {
    if (!t.versions.has(versionKey(fn.name, q))) throw notFound(ctx, fn.name, q);
  } else if (!t.aliases.has(`${fn.name}#${q}`)) throw aliasNotFound(ctx, fn.name, q);
  return { fn, qualifier: q };
}

function provisionedOut(ctx: HandlerContext, fn: FunctionRec, qualifier: string): ProvisionedConcurrencyConfigListItem {
  const c = fn.provisionedConcurrency![qualifier]!;
  return {
    FunctionArn: functionArn(ctx, fn.name, qualifier),
    RequestedProvisionedConcurrentExecutions: c.requested,
    AvailableProvisionedConcurrentExecutions: c.requested,
    AllocatedProvisionedConcurrentExecutions: c.requested,
    Status: "READY",
    LastModified: c.lastModified,
  };
}

export const concurrency = {
  putFunctionConcurrency(input, ctx) {
    return transaction(ctx, () => {
      const fn = unqualified(ctx, input.FunctionName);
      const n = input.ReservedConcurrentExecutions;
      if (ACCOUNT_CONCURRENCY - reservedSum(ctx, fn.name) - n < MIN_UNRESERVED) {
        throw userError(
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
        );
      }
      fn.reservedConcurrency = n;
      tables(ctx).functions.put(fn.name, fn);
      return { ReservedConcurrentExecutions: n };
    });
  },

  getFunctionConcurrency(input, ctx) {
    const fn = unqualified(ctx, input.FunctionName);
    return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
  },

  deleteFunctionConcurrency(input, ctx) {
    transaction(ctx, () => {
      const fn = unqualified(ctx, input.FunctionName);
      delete fn.reservedConcurrency;
      tables(ctx).functions.put(fn.name, fn);
    });
    return {};
  },

  getAccountSettings(_input, ctx) {
    const t = tables(ctx);
    // Storage is counted once per stored package: versions published from unchanged code share $LATEST's.
    const blobs = new Map<string, number>();
    let count = 0;
    for (const { value: fn } of t.functions.list()) {
      count += 1;
      if (fn.latest.code) blobs.set(fn.latest.code.blobId, fn.latest.code.size);
      for (const { value: v } of t.versions.list({ prefix: `${fn.name}#` })) if (v.code) blobs.set(v.code.blobId, v.code.size);
    }
    for (const { value: l } of t.layers.list()) if (!l.deleted) blobs.set(l.code.blobId, l.code.size);
    let total = 0;
    for (const size of blobs.values()) total += size;
    return {
      AccountLimit: {
        TotalCodeSize: TOTAL_CODE_SIZE,
        CodeSizeUnzipped: CODE_SIZE_UNZIPPED,
        CodeSizeZipped: CODE_SIZE_ZIPPED,
        ConcurrentExecutions: ACCOUNT_CONCURRENCY,
        UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reservedSum(ctx),
      },
      AccountUsage: { TotalCodeSize: total, FunctionCount: count },
    };
  },

  async putProvisionedConcurrencyConfig(input, ctx) {
    const { fn, qualifier } = provisionedTarget(ctx, input.FunctionName, input.Qualifier, true);
    const n = input.ProvisionedConcurrentExecutions;
    const t = tables(ctx);
    const others = Object.entries(fn.provisionedConcurrency ?? {})
      .filter(([q]) => q !== qualifier)
      .reduce((s, [, c]) => s + c.requested, 0);
    if (fn.reservedConcurrency !== undefined && others + n > fn.reservedConcurrency) {
      throw userError("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
    }
    if (n > ACCOUNT_CONCURRENCY - reservedSum(ctx) - MIN_UNRESERVED) {
      throw userError(
        `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
      );
    }
    // An alias and the version it points to cannot both carry a configuration.
    const alias = /^\d+$/.test(qualifier) ? undefined : t.aliases.get(`${fn.name}#${qualifier}`);
    if (alias && fn.provisionedConcurrency?.[alias.functionVersion]) {
      throw new ResourceConflictException("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version", { Type: "User" });
    }
    if (!alias && t.aliases.list({ prefix: `${fn.name}#` }).some((a) => a.value.functionVersion === qualifier && fn.provisionedConcurrency?.[a.value.name])) {
      throw new ResourceConflictException("Version is pointed by a Provisioned Concurrency alias", { Type: "User" });
    }
    // The code is made ready to start (unpacked with its layers) before the configuration is answered.
    const version = t.versions.get(versionKey(fn.name, alias ? alias.functionVersion : qualifier));
    if (version)
      await engineOf(ctx)
        ?.prepare(version)
        .catch(() => {});
    const now = lastModified(ctx.now());
    transaction(ctx, () => {
      const cur = mustGetFunction(ctx, fn.name);
      cur.provisionedConcurrency = { ...cur.provisionedConcurrency, [qualifier]: { requested: n, lastModified: now } };
      t.functions.put(cur.name, cur);
    });
    return {
      RequestedProvisionedConcurrentExecutions: n,
      AvailableProvisionedConcurrentExecutions: 0,
      AllocatedProvisionedConcurrentExecutions: 0,
      Status: "IN_PROGRESS",
      LastModified: now,
    };
  },

  getProvisionedConcurrencyConfig(input, ctx) {
    const { fn, qualifier } = provisionedTarget(ctx, input.FunctionName, input.Qualifier, false);
    if (!fn.provisionedConcurrency?.[qualifier])
      throw new ProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for this function", { Type: "User" });
    const { FunctionArn: _arn, ...rest } = provisionedOut(ctx, fn, qualifier);
    return rest;
  },

  listProvisionedConcurrencyConfigs(input, ctx) {
    const fn = mustGetFunction(ctx, parseFunctionName(ctx, input.FunctionName).name);
    const all = Object.keys(fn.provisionedConcurrency ?? {})
      .sort()
      .map((q) => provisionedOut(ctx, fn, q));
    const { page, next } = paginate("ListProvisionedConcurrencyConfigs", all, input.Marker, input.MaxItems);
    return { ProvisionedConcurrencyConfigs: page, ...(next ? { NextMarker: next } : {}) };
  },

  deleteProvisionedConcurrencyConfig(input, ctx) {
    const { fn, qualifier } = provisionedTarget(ctx, input.FunctionName, input.Qualifier, false);
    if (fn.provisionedConcurrency?.[qualifier]) {
      transaction(ctx, () => {
        const cur = mustGetFunction(ctx, fn.name);
        delete cur.provisionedConcurrency?.[qualifier];
        tables(ctx).functions.put(cur.name, cur);
      });
    }
    return {};
  },
} satisfies Partial<LambdaApi>;
