// Aliases: named pointers to a function version, optionally splitting traffic with a second published version
// (RoutingConfig.AdditionalVersionWeights; Invoke picks per call, see state.ts pickVersion).
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { AliasConfiguration, AliasRoutingConfiguration, LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException, ResourceNotFoundException } from "./api.generated.js";
import type { AliasRec, FunctionRec } from "./state.js";
import { LATEST, functionArn, mustGetFunction, notFound, parseFunctionName, tables, transaction, versionKey } from "./state.js";
import { dropUrlIndex } from "./url-index.js";
import { PRECONDITION_MESSAGE, paginate } from "./versions.js";

const userError = (msg: string) => new InvalidParameterValueException(msg, { Type: "User" });

export const aliasKey = (fn: string, name: string) => `${fn}#${name}`;

export const aliasNotFound = (ctx: Pick<HandlerContext, "account" | "region">, fn: string, name: string) =>
  new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(ctx, fn, name)}`, { Type: "User" });

export function aliasOut(a: AliasRec): AliasConfiguration {
  return {
    AliasArn: a.arn,
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(a.routingConfig ? { RoutingConfig: a.routingConfig } : {}),
    RevisionId: a.revisionId,
  };
}

/** The function a FunctionName names, which must be unqualified for alias operations. */
function functionOf(ctx: HandlerContext, functionName: string): FunctionRec {
  return mustGetFunction(ctx, parseFunctionName(ctx, functionName).name);
}

function checkVersionExists(ctx: HandlerContext, fn: FunctionRec, version: string): void {
  if (version === LATEST) return;
  if (!tables(ctx).versions.has(versionKey(fn.name, version))) throw notFound(ctx, fn.name, version);
}

/**
 * Checks a routing configuration against the alias's primary version as AWS does: one additional version at
 * most, a published one other than the primary, and never with $LATEST. Empty weights mean no routing.
 */
function checkRouting(
  ctx: HandlerContext,
  fn: FunctionRec,
  primary: string,
  routing: AliasRoutingConfiguration | undefined,
): AliasRoutingConfiguration | undefined {
  const weights = routing?.AdditionalVersionWeights;
  if (!weights || Object.keys(weights).length === 0) return undefined;
  const entries = Object.entries(weights);
  if (entries.length > 1) throw userError("Number of items in AdditionalVersionWeights cannot be greater than 1");
  const [version] = entries[0]!;
  if (version === primary) throw userError(`Invalid function version ${primary}. Function version ${primary} is already included in routing configuration.`);
  if (primary === LATEST) throw userError("$LATEST is not supported for an alias pointing to more than 1 version");
  if (!/^\d+$/.test(version)) throw userError(`Invalid function version ${version}.`);
  checkVersionExists(ctx, fn, version);
  return { AdditionalVersionWeights: { ...weights } };
}

export const aliases = {
  createAlias(input, ctx) {
    const fn = functionOf(ctx, input.FunctionName);
    const t = tables(ctx);
    const key = aliasKey(fn.name, input.Name);
    const arn = functionArn(ctx, fn.name, input.Name);
    if (t.aliases.has(key)) throw new ResourceConflictException(`Alias already exists: ${arn}`, { Type: "User" });
    checkVersionExists(ctx, fn, input.FunctionVersion);
    const routingConfig = checkRouting(ctx, fn, input.FunctionVersion, input.RoutingConfig);
    const rec: AliasRec = {
      name: input.Name,
      functionName: fn.name,
      arn,
      functionVersion: input.FunctionVersion,
      description: input.Description ?? "",
      ...(routingConfig ? { routingConfig } : {}),
      revisionId: randomUUID(),
    };
    if (!t.aliases.insert(key, rec)) throw new ResourceConflictException(`Alias already exists: ${arn}`, { Type: "User" });
    return aliasOut(rec);
  },

  getAlias(input, ctx) {
    const fn = functionOf(ctx, input.FunctionName);
    const rec = tables(ctx).aliases.get(aliasKey(fn.name, input.Name));
    if (!rec) throw aliasNotFound(ctx, fn.name, input.Name);
    return aliasOut(rec);
  },

  updateAlias(input, ctx) {
    const fn = functionOf(ctx, input.FunctionName);
    const t = tables(ctx);
    return transaction(ctx, () => {
      const key = aliasKey(fn.name, input.Name);
      const rec = t.aliases.get(key);
      if (!rec) throw aliasNotFound(ctx, fn.name, input.Name);
      if (input.RevisionId !== undefined && input.RevisionId !== rec.revisionId) throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
      const primary = input.FunctionVersion ?? rec.functionVersion;
      if (input.FunctionVersion !== undefined) checkVersionExists(ctx, fn, input.FunctionVersion);
      // Routing given: replaces (empty clears); not given: kept, and still has to fit a new primary version.
      const routingConfig = checkRouting(ctx, fn, primary, input.RoutingConfig !== undefined ? input.RoutingConfig : rec.routingConfig);
      const next: AliasRec = {
        ...rec,
        functionVersion: primary,
        description: input.Description ?? rec.description,
        revisionId: randomUUID(),
      };
      if (routingConfig) next.routingConfig = routingConfig;
      else delete next.routingConfig;
      t.aliases.put(key, next);
      return aliasOut(next);
    });
  },

  deleteAlias(input, ctx) {
    const fn = functionOf(ctx, input.FunctionName);
    const t = tables(ctx);
    // AWS answers 204 whether or not the alias exists.
    transaction(ctx, () => {
      const key = aliasKey(fn.name, input.Name);
      if (!t.aliases.delete(key)) return;
      t.permissions.delete(key);
      t.invokeConfigs.delete(key);
      const url = t.urls.get(key);
      if (url) {
        t.urls.delete(key);
        dropUrlIndex(ctx, [url]);
      }
      const cur = t.functions.get(fn.name);
      if (cur?.provisionedConcurrency?.[input.Name]) {
        delete cur.provisionedConcurrency[input.Name];
        t.functions.put(cur.name, cur);
      }
    });
    return {};
  },

  listAliases(input, ctx) {
    const fn = functionOf(ctx, input.FunctionName);
    const all = tables(ctx)
      .aliases.list({ prefix: `${fn.name}#` })
      .map((e) => e.value)
      .filter((a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion)
      .map(aliasOut);
    const { page, next } = paginate("ListAliases", all, input.Marker, input.MaxItems);
    return { Aliases: page, ...(next ? { NextMarker: next } : {}) };
  },
} satisfies Partial<LambdaApi>;
