// Asynchronous invocation settings per function, version or alias (Put/Get/Update/Delete/ListFunctionEventInvokeConfigs):
// retry attempts, maximum event age and the OnSuccess/OnFailure destinations async.ts reads via `invokeConfigFor`.
import type { HandlerContext } from "../../core/context.js";
import type { Located } from "../../core/state.js";
import type { DestinationConfig, FunctionEventInvokeConfig, LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./api.generated.js";
import type { EventInvokeConfigRec, FunctionRec } from "./state.js";
import { LATEST, functionArn, parseFunctionName, tables, transaction, versionKey } from "./state.js";
import { paginate } from "./versions.js";

const DESTINATION = /^arn:aws[\w-]*:(sqs|sns|lambda|events|s3):([a-z0-9-]*):(\d{12})?:(.+)$/;
const FN_DESTINATION = /^function:([a-zA-Z0-9_-]+)(?::[a-zA-Z0-9$_-]+)?$/;

const userError = (msg: string) => new InvalidParameterValueException(msg, { Type: "User" });

export const invokeConfigKey = (fn: string, qualifier: string | undefined) => `${fn}#${qualifier ?? LATEST}`;

/** The asynchronous invocation settings of a function version or alias ($LATEST when unqualified), if any. */
export function invokeConfigFor(ctx: Located, fnName: string, qualifier: string | undefined): EventInvokeConfigRec | undefined {
  return tables(ctx).invokeConfigs.get(invokeConfigKey(fnName, qualifier));
}

interface Target {
  fn: FunctionRec;
  qualifier: string;
  key: string;
}

/** The function and qualifier, which must exist, for Put/Update/List. */
function existing(ctx: HandlerContext, functionName: string, qualifier: string | undefined): Target {
  const ref = parseFunctionName(ctx, functionName, qualifier);
  const t = tables(ctx);
  const fn = t.functions.get(ref.name);
  const q = ref.qualifier ?? LATEST;
  const qualifierExists = q === LATEST || (/^\d+$/.test(q) ? t.versions.has(versionKey(ref.name, q)) : t.aliases.has(`${ref.name}#${q}`));
  if (!fn || !qualifierExists) throw new ResourceNotFoundException("The function doesn't exist.", { Type: "User" });
  return { fn, qualifier: q, key: invokeConfigKey(fn.name, q) };
}

function noConfig(ctx: HandlerContext, fn: string, qualifier: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`The function ${functionArn(ctx, fn, qualifier)} doesn't have an EventInvokeConfig`, { Type: "User" });
}

function checkDestinations(ctx: HandlerContext, fn: string, d: DestinationConfig | undefined): void {
  if (!d) return;
  const success = d.OnSuccess?.Destination || undefined;
  const failure = d.OnFailure?.Destination || undefined;
  let bad = false;
  for (const arn of [success, failure]) {
    if (!arn) continue;
    const m = DESTINATION.exec(arn);
    if (!m || (m[1] === "s3" && arn === success)) {
      bad = true;
      continue;
    }
    if (m[1] === "lambda") {
      const f = FN_DESTINATION.exec(m[4]!);
      if (!f) bad = true;
      else if (f[1] === fn && m[3] === ctx.account && m[2] === ctx.region) throw userError("You can't specify the function as a destination for itself.");
    }
  }
  if (bad) {
    throw userError(
      `The provided destination config DestinationConfig(onSuccess=${success ? `OnSuccess(destination=${success})` : "null"}, onFailure=${failure ? `OnFailure(destination=${failure})` : "null"}) is invalid.`,
    );
  }
}

/** DestinationConfig as AWS answers it: both members present, empty when unset. */
function destinationsOut(d: DestinationConfig | undefined): DestinationConfig {
  return {
    OnSuccess: d?.OnSuccess?.Destination ? { Destination: d.OnSuccess.Destination } : {},
    OnFailure: d?.OnFailure?.Destination ? { Destination: d.OnFailure.Destination } : {},
  };
}

function configOut(r: EventInvokeConfigRec): FunctionEventInvokeConfig {
  return {
    LastModified: new Date(r.LastModified as unknown as string | Date),
    FunctionArn: r.FunctionArn,
    ...(r.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: r.MaximumRetryAttempts } : {}),
    ...(r.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: r.MaximumEventAgeInSeconds } : {}),
    DestinationConfig: destinationsOut(r.DestinationConfig),
  };
}

type Settings = Pick<FunctionEventInvokeConfig, "MaximumRetryAttempts" | "MaximumEventAgeInSeconds" | "DestinationConfig">;

function requireSome(i: Settings): void {
  if (i.MaximumRetryAttempts === undefined && i.MaximumEventAgeInSeconds === undefined && i.DestinationConfig === undefined) {
    throw userError("You must specify at least one of error handling or destination setting.");
  }
}

export const invokeConfigs = {
  putFunctionEventInvokeConfig(input, ctx) {
    requireSome(input);
    const tg = existing(ctx, input.FunctionName, input.Qualifier);
    checkDestinations(ctx, tg.fn.name, input.DestinationConfig);
    const rec: EventInvokeConfigRec = {
      qualifier: tg.qualifier,
      FunctionArn: functionArn(ctx, tg.fn.name, tg.qualifier),
      LastModified: new Date(ctx.now()),
      ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
      ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: destinationsOut(input.DestinationConfig),
    };
    tables(ctx).invokeConfigs.put(tg.key, rec);
    return configOut(rec);
  },

  updateFunctionEventInvokeConfig(input, ctx) {
    requireSome(input);
    const tg = existing(ctx, input.FunctionName, input.Qualifier);
    checkDestinations(ctx, tg.fn.name, input.DestinationConfig);
    return transaction(ctx, () => {
      const t = tables(ctx);
      const cur = t.invokeConfigs.get(tg.key);
      if (!cur) throw noConfig(ctx, tg.fn.name, tg.qualifier);
      const d = input.DestinationConfig;
      const rec: EventInvokeConfigRec = {
        ...cur,
        LastModified: new Date(ctx.now()),
        ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
        ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
        DestinationConfig: destinationsOut({
          OnSuccess: d?.OnSuccess !== undefined ? d.OnSuccess : cur.DestinationConfig?.OnSuccess,
          OnFailure: d?.OnFailure !== undefined ? d.OnFailure : cur.DestinationConfig?.OnFailure,
        }),
      };
      t.invokeConfigs.put(tg.key, rec);
      return configOut(rec);
    });
  },

  getFunctionEventInvokeConfig(input, ctx) {
    const ref = parseFunctionName(ctx, input.FunctionName, input.Qualifier);
    const q = ref.qualifier ?? LATEST;
    const rec = tables(ctx).invokeConfigs.get(invokeConfigKey(ref.name, q));
    if (!rec) throw noConfig(ctx, ref.name, q);
    return configOut(rec);
  },

  deleteFunctionEventInvokeConfig(input, ctx) {
    const ref = parseFunctionName(ctx, input.FunctionName, input.Qualifier);
    const q = ref.qualifier ?? LATEST;
    if (!tables(ctx).invokeConfigs.delete(invokeConfigKey(ref.name, q))) throw noConfig(ctx, ref.name, q);
    return {};
  },

  listFunctionEventInvokeConfigs(input, ctx) {
    const { fn } = existing(ctx, input.FunctionName, undefined);
    const all = tables(ctx)
      .invokeConfigs.list({ prefix: `${fn.name}#` })
      .map((e) => configOut(e.value));
    const { page, next } = paginate("ListFunctionEventInvokeConfigs", all, input.Marker, input.MaxItems);
    return { FunctionEventInvokeConfigs: page, ...(next ? { NextMarker: next } : {}) };
  },
} satisfies Partial<LambdaApi>;
