// Function URLs: a dedicated HTTP endpoint for a function ($LATEST) or one of its aliases. The configuration
// lives with the function (table `urls`, key `${function}#${alias ?? ""}`); a global index url-id → owner (url-index.ts) lets
// the HTTP side (url-invoke.ts) find the function from the Host header alone.
import { randomInt } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { Cors, FunctionUrlConfig, LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from "./api.generated.js";
import { engineOf } from "./engine/index.js";
import type { UrlConfigRec } from "./state.js";
import { functionArn, lastModified, parseFunctionName, tables, transaction } from "./state.js";
import { dropUrlIndex, urlIndex } from "./url-index.js";
import { paginate } from "./versions.js";

const URL_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)";

const urlKey = (fn: string, qualifier?: string) => `${fn}#${qualifier ?? ""}`;

/** A url-id as AWS makes them: 32 lower-case letters and digits. */
function newUrlId(): string {
  let id = "";
  for (let i = 0; i < 32; i++) id += URL_ID_ALPHABET[randomInt(URL_ID_ALPHABET.length)];
  return id;
}

/** The port clients reach this server on: the one they addressed, else the one it listens on. */
function serverPort(ctx: HandlerContext): string {
  const fromHost = ctx.host ? /:(\d+)$/.exec(ctx.host)?.[1] : undefined;
  if (fromHost) return fromHost;
  const base = engineOf(ctx)?.baseUrl();
  if (base) {
    const u = new URL(base);
    if (u.port) return u.port;
  }
  return "4566";
}

/**
 * FunctionName (name, ARN, partial ARN, name:alias) and Qualifier as the URL operations read them: only an
 * alias may qualify a function URL; $LATEST and version numbers fail the Qualifier pattern as on AWS.
 */
function urlTarget(ctx: HandlerContext, functionName: string, qualifier: string | undefined) {
  const ref = parseFunctionName(ctx, functionName, qualifier);
  const q = ref.qualifier;
  if (q !== undefined && !/^(?!\d+$)[0-9a-zA-Z_-]+$/.test(q)) {
    throw new ServiceError(
      "ValidationException",
      `1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
      400,
    );
  }
  return { name: ref.name, qualifier: q };
}

const FN_MISSING = () => new ResourceNotFoundException("Function does not exist", { Type: "User" });
const CONFIG_MISSING = () => new ResourceNotFoundException("The resource you requested does not exist.", { Type: "User" });

/** Cors as stored and answered: only what was given (AWS answers the members that were set). */
function cleanCors(c: Cors | undefined): Cors | undefined {
  if (!c) return undefined;
  const out: Cors = {};
  if (c.AllowCredentials !== undefined) out.AllowCredentials = c.AllowCredentials;
  if (c.AllowHeaders !== undefined) out.AllowHeaders = c.AllowHeaders;
  if (c.AllowMethods !== undefined) out.AllowMethods = c.AllowMethods;
  if (c.AllowOrigins !== undefined) out.AllowOrigins = c.AllowOrigins;
  if (c.ExposeHeaders !== undefined) out.ExposeHeaders = c.ExposeHeaders;
  if (c.MaxAge !== undefined) out.MaxAge = c.MaxAge;
  return out;
}

function out(rec: UrlConfigRec): FunctionUrlConfig {
  return {
    FunctionUrl: rec.functionUrl,
    FunctionArn: rec.functionArn,
    AuthType: rec.authType,
    ...(rec.cors ? { Cors: rec.cors } : {}),
    CreationTime: rec.creationTime,
    LastModifiedTime: rec.lastModifiedTime,
    InvokeMode: rec.invokeMode,
  };
}

export const urls = {
  createFunctionUrlConfig(input, ctx) {
    const { name, qualifier } = urlTarget(ctx, input.FunctionName, input.Qualifier);
    const t = tables(ctx);
    const fn = t.functions.get(name);
    if (!fn) throw FN_MISSING();
    const arn = functionArn(ctx, name, qualifier);
    if (t.urls.has(urlKey(name, qualifier))) {
      throw new ResourceConflictException(
        `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        { Type: "User" },
      );
    }
    if (qualifier !== undefined && !t.aliases.has(`${name}#${qualifier}`)) throw FN_MISSING();
    let urlId = newUrlId();
    const idx = urlIndex(ctx);
    while (idx.has(urlId)) urlId = newUrlId();
    const now = lastModified(ctx.now());
    const rec: UrlConfigRec = {
      functionName: name,
      qualifier: qualifier ?? "",
      urlId,
      functionUrl: `http://${urlId}.lambda-url.${ctx.region}.localhost:${serverPort(ctx)}/`,
      functionArn: arn,
      authType: input.AuthType,
      cors: cleanCors(input.Cors),
      // RESPONSE_STREAM is accepted and recorded; responses are still sent whole (buffered).
      invokeMode: input.InvokeMode ?? "BUFFERED",
      creationTime: now,
      lastModifiedTime: now,
    };
    transaction(ctx, () => {
      if (t.urls.has(urlKey(name, qualifier))) {
        throw new ResourceConflictException(
          `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
          { Type: "User" },
        );
      }
      t.urls.put(urlKey(name, qualifier), rec);
      idx.put(urlId, { account: ctx.account, region: ctx.region, functionName: name, qualifier: qualifier ?? "" });
    });
    const { LastModifiedTime: _omit, ...answer } = out(rec);
    void _omit;
    return answer;
  },

  getFunctionUrlConfig(input, ctx) {
    const { name, qualifier } = urlTarget(ctx, input.FunctionName, input.Qualifier);
    const t = tables(ctx);
    if (!t.functions.has(name)) throw CONFIG_MISSING();
    const rec = t.urls.get(urlKey(name, qualifier));
    if (!rec) throw CONFIG_MISSING();
    return out(rec);
  },

  updateFunctionUrlConfig(input, ctx) {
    const { name, qualifier } = urlTarget(ctx, input.FunctionName, input.Qualifier);
    const t = tables(ctx);
    if (!t.functions.has(name)) throw FN_MISSING();
    if (qualifier !== undefined && !t.aliases.has(`${name}#${qualifier}`)) throw FN_MISSING();
    let rec: UrlConfigRec | undefined;
    transaction(ctx, () => {
      rec = t.urls.get(urlKey(name, qualifier));
      if (!rec) throw CONFIG_MISSING();
      if (input.AuthType !== undefined) rec.authType = input.AuthType;
      if (input.Cors !== undefined) rec.cors = cleanCors(input.Cors);
      if (input.InvokeMode !== undefined) rec.invokeMode = input.InvokeMode;
      rec.lastModifiedTime = lastModified(ctx.now());
      t.urls.put(urlKey(name, qualifier), rec);
    });
    return out(rec!);
  },

  deleteFunctionUrlConfig(input, ctx) {
    const { name, qualifier } = urlTarget(ctx, input.FunctionName, input.Qualifier);
    const t = tables(ctx);
    if (!t.functions.has(name)) throw CONFIG_MISSING();
    transaction(ctx, () => {
      const rec = t.urls.get(urlKey(name, qualifier));
      if (!rec) throw CONFIG_MISSING();
      t.urls.delete(urlKey(name, qualifier));
      dropUrlIndex(ctx, [rec]);
    });
    return {};
  },

  listFunctionUrlConfigs(input, ctx) {
    const ref = parseFunctionName(ctx, input.FunctionName);
    const t = tables(ctx);
    if (!t.functions.has(ref.name)) throw FN_MISSING();
    const max = input.MaxItems ?? 50;
    const all = t.urls.list({ prefix: `${ref.name}#` }).map((e) => out(e.value));
    const { page, next } = paginate("ListFunctionUrlConfigs", all, input.Marker, max);
    return { FunctionUrlConfigs: page, ...(next ? { NextMarker: next } : {}) };
  },
} satisfies Partial<LambdaApi>;
