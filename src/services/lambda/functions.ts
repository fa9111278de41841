// Functions: create, read, list, update code and configuration, delete. A new function is Pending and an
// update InProgress until its code is ready to run (a moment later), as the AWS CLI waiters expect.
import { createHash, randomUUID } from "node:crypto";
import { formatArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { FunctionConfiguration, LambdaApi, CreateFunctionRequest, UpdateFunctionConfigurationRequest, Layer } from "./api.generated.js";
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException } from "./api.generated.js";
import { storeCode } from "./code.js";
import { engineOf } from "./engine/index.js";
import { checkExecutionRole } from "./role.js";
import { checkRuntimeAllowed } from "./runtimes.js";
import type { FunctionRec, VersionRec } from "./state.js";
import {
  LATEST,
  functionArn,
  lambdaState,
  lastModified,
  mustGetFunction,
  notFound,
  parseFunctionName,
  resolveFunction,
  tables,
  transaction,
  versionKey,
} from "./state.js";
import { dropUrlIndex } from "./url-index.js";
import { PRECONDITION_MESSAGE, paginate, publish } from "./versions.js";

const LAYER_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+):(\d+)$/;

const userError = (msg: string) => new InvalidParameterValueException(msg, { Type: "User" });

function resolveLayers(ctx: HandlerContext, arns: string[] | undefined): Layer[] | undefined {
  if (!arns) return undefined;
  if (arns.length > 5) throw userError("Cannot reference more than 5 layers.");
  return arns.map((arn) => {
    const m = LAYER_ARN.exec(arn);
    const rec = m && m[1] === ctx.region ? lambdaState.at(ctx, m[2]!, m[1]!).layers.get(versionKey(m[3]!, m[4]!)) : undefined;
    if (!rec || rec.deleted) throw userError(`Layer version ${arn} does not exist.`);
    return { Arn: arn, CodeSize: rec.code.size };
  });
}

// Limits the model does not carry (AWS checks them in the service, answering in the model's wording).
function checkLimits(i: { Timeout?: number; MemorySize?: number }): void {
  const fail = (value: number, field: string, limit: number) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${limit}`,
      400,
    );
  if (i.Timeout !== undefined && i.Timeout > 900) throw fail(i.Timeout, "timeout", 900);
  if (i.MemorySize !== undefined && i.MemorySize > 10240) throw fail(i.MemorySize, "memorySize", 10240);
}

function checkEnvironment(vars: Record<string, string> | undefined): void {
  if (!vars) return;
  let size = 0;
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) throw userError(`Environment variable name ${k} is not valid.`);
    size += k.length + v.length;
  }
  if (size > 4096)
    throw userError(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(vars)}`,
    );
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENV.has(k));
  if (reserved.length)
    throw userError(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
}

const RESERVED_ENV = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

function checkRevision(current: string | undefined, given: string | undefined): void {
  if (given !== undefined && given !== current) {
    throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
  }
}

function checkNotUpdating(fn: FunctionRec): void {
  if (fn.latest.config.LastUpdateStatus === "InProgress" || fn.latest.config.State === "Pending") {
    throw new ResourceConflictException(`The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, { Type: "User" });
  }
}

/**
 * Makes the code ready to run (unpacked with its layers) before the call is answered, so the function is
 * Active/Successful by the time anyone asks. The answer itself still shows Pending/InProgress, as AWS's does;
 * waiters then see the transition on their first poll. Returns the failure, if any.
 */
async function prepareCode(ctx: HandlerContext, v: VersionRec): Promise<string | undefined> {
  try {
    await engineOf(ctx)?.prepare(v);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** What the create/update call answers: the stored record as it was before it settled. */
const unsettled = (c: FunctionConfiguration, stored: FunctionConfiguration): FunctionConfiguration => ({ ...stored, ...pick(c) });
const pick = (c: FunctionConfiguration) => ({
  State: c.State,
  StateReason: c.StateReason,
  StateReasonCode: c.StateReasonCode,
  LastUpdateStatus: c.LastUpdateStatus,
  LastUpdateStatusReason: c.LastUpdateStatusReason,
  LastUpdateStatusReasonCode: c.LastUpdateStatusReasonCode,
});

/** The end state of a create/update: Active/Successful, or Failed with the reason. */
export function settle(c: FunctionConfiguration, failure?: string): void {
  if (c.State === "Pending") {
    if (failure) Object.assign(c, { State: "Failed", StateReason: failure, StateReasonCode: "InvalidZipFileException" });
    else {
      c.State = "Active";
      delete c.StateReason;
      delete c.StateReasonCode;
      c.LastUpdateStatus ??= "Successful";
    }
  }
  if (c.LastUpdateStatus === "InProgress") {
    if (failure) Object.assign(c, { LastUpdateStatus: "Failed", LastUpdateStatusReason: failure, LastUpdateStatusReasonCode: "InvalidZipFileException" });
    else {
      c.LastUpdateStatus = "Successful";
      delete c.LastUpdateStatusReason;
      delete c.LastUpdateStatusReasonCode;
    }
  }
}

function codeLocation(ctx: HandlerContext, v: VersionRec): { RepositoryType: string; Location?: string; ImageUri?: string; ResolvedImageUri?: string } {
  if (v.imageUri) return { RepositoryType: "ECR", ImageUri: v.imageUri, ResolvedImageUri: v.imageUri };
  const base = ctx.host ? `http://${ctx.host}` : (engineOf(ctx)?.baseUrl() ?? "http://localhost:4566");
  return { RepositoryType: "S3", Location: `${base}/_stratus/lambda/code/${v.code?.blobId}` };
}

function applyConfig(
  ctx: HandlerContext,
  c: FunctionConfiguration,
  i: Partial<CreateFunctionRequest & UpdateFunctionConfigurationRequest>,
  name: string,
): void {
  if (i.Role !== undefined) c.Role = i.Role;
  if (i.Handler !== undefined) c.Handler = i.Handler;
  if (i.Runtime !== undefined) c.Runtime = i.Runtime;
  if (i.Description !== undefined) c.Description = i.Description;
  if (i.Timeout !== undefined) c.Timeout = i.Timeout;
  if (i.MemorySize !== undefined) c.MemorySize = i.MemorySize;
  if (i.Environment !== undefined) c.Environment = { Variables: i.Environment.Variables ?? {} };
  if (i.DeadLetterConfig !== undefined) {
    if (i.DeadLetterConfig.TargetArn) c.DeadLetterConfig = { TargetArn: i.DeadLetterConfig.TargetArn };
    else delete c.DeadLetterConfig;
  }
  if (i.KMSKeyArn !== undefined) {
    if (i.KMSKeyArn) c.KMSKeyArn = i.KMSKeyArn;
    else delete c.KMSKeyArn;
  }
  if (i.TracingConfig !== undefined) c.TracingConfig = { Mode: i.TracingConfig.Mode ?? "PassThrough" };
  if (i.Layers !== undefined) {
    const layers = resolveLayers(ctx, i.Layers);
    if (layers?.length) c.Layers = layers;
    else delete c.Layers;
  }
  if (i.VpcConfig !== undefined) {
    c.VpcConfig = {
      SubnetIds: i.VpcConfig.SubnetIds ?? [],
      SecurityGroupIds: i.VpcConfig.SecurityGroupIds ?? [],
      Ipv6AllowedForDualStack: i.VpcConfig.Ipv6AllowedForDualStack ?? false,
      VpcId: "",
    };
  }
  if (i.EphemeralStorage !== undefined) c.EphemeralStorage = { Size: i.EphemeralStorage.Size };
  if (i.FileSystemConfigs !== undefined) c.FileSystemConfigs = i.FileSystemConfigs;
  if (i.ImageConfig !== undefined) c.ImageConfigResponse = { ImageConfig: i.ImageConfig };
  if (i.SnapStart !== undefined) c.SnapStart = { ApplyOn: i.SnapStart.ApplyOn ?? "None", OptimizationStatus: "Off" };
  if (i.LoggingConfig !== undefined) {
    const format = i.LoggingConfig.LogFormat ?? c.LoggingConfig?.LogFormat ?? "Text";
    c.LoggingConfig = { LogFormat: format, LogGroup: i.LoggingConfig.LogGroup ?? c.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}` };
    if (format === "JSON") {
      c.LoggingConfig.ApplicationLogLevel = i.LoggingConfig.ApplicationLogLevel ?? "INFO";
      c.LoggingConfig.SystemLogLevel = i.LoggingConfig.SystemLogLevel ?? "INFO";
    }
  }
}

export const functions = {
  async createFunction(input, ctx) {
    const name = input.FunctionName;
    const ref = parseFunctionName(ctx, name);
    if (ref.qualifier !== undefined) throw userError("Unqualified function name expected: the name cannot include a version or alias.");
    const t = tables(ctx);
    if (t.functions.has(ref.name)) throw new ResourceConflictException(`Function already exist: ${ref.name}`, { Type: "User" });
    const packageType = input.PackageType ?? "Zip";
    if (packageType === "Zip") {
      if (!input.Runtime || !input.Handler) throw userError("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
      if (input.Code.ImageUri) throw userError("Please don't provide ImageUri when updating a function with packageType Zip.");
    } else if (!input.Code.ImageUri) {
      throw userError("Please provide ImageUri when updating a function with packageType Image.");
    }
    checkRuntimeAllowed(input.Runtime);
    checkLimits(input);
    checkEnvironment(input.Environment?.Variables);
    checkExecutionRole(ctx, input.Role);
    const code = packageType === "Zip" ? await storeCode(ctx, input.Code) : undefined;
    // Another create may have won while the code was stored.
    if (t.functions.has(ref.name)) {
      if (code) ctx.blobs.delete(code.blobId);
      throw new ResourceConflictException(`Function already exist: ${ref.name}`, { Type: "User" });
    }
    const arn = functionArn(ctx, ref.name);
    const now = ctx.now();
    const config: FunctionConfiguration = {
      FunctionName: ref.name,
      FunctionArn: arn,
      ...(packageType === "Zip" ? { Runtime: input.Runtime, Handler: input.Handler } : {}),
      Role: input.Role,
      CodeSize: code?.size ?? 0,
      Description: input.Description ?? "",
      Timeout: input.Timeout ?? 3,
      MemorySize: input.MemorySize ?? 128,
      LastModified: lastModified(now),
      CodeSha256: code?.sha256 ?? "",
      Version: LATEST,
      TracingConfig: { Mode: input.TracingConfig?.Mode ?? "PassThrough" },
      RevisionId: randomUUID(),
      State: "Pending",
      StateReason: "The function is being created.",
      StateReasonCode: "Creating",
      PackageType: packageType,
      Architectures: input.Architectures ?? ["x86_64"],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${ref.name}` },
      ...(input.Runtime && packageType === "Zip"
        ? {
            RuntimeVersionConfig: {
              RuntimeVersionArn: formatArn({ service: "lambda", region: ctx.region, account: "", resource: `runtime:${createHashHex(input.Runtime)}` }),
            },
          }
        : {}),
    };
    applyConfig(ctx, config, { ...input, Runtime: undefined, Handler: undefined, Role: undefined, TracingConfig: undefined }, ref.name);
    const fn: FunctionRec = {
      name: ref.name,
      arn,
      createdAt: now,
      latest: { config, code, ...(input.Code.ImageUri ? { imageUri: input.Code.ImageUri } : {}) },
      nextVersion: 1,
      tags: input.Tags ?? {},
    };
    const before = pick(config);
    settle(config, await prepareCode(ctx, fn.latest));
    let answer = config;
    transaction(ctx, () => {
      if (t.functions.has(ref.name)) throw new ResourceConflictException(`Function already exist: ${ref.name}`, { Type: "User" });
      t.functions.put(ref.name, fn);
      if (input.Publish) answer = publish(ctx, fn, input.Description).config;
    });
    return unsettled(before, answer);
  },

  getFunction(input, ctx) {
    const r = resolveFunction(ctx, input.FunctionName, input.Qualifier);
    return {
      Configuration: r.version.config,
      Code: codeLocation(ctx, r.version),
      Tags: r.fn.tags,
      ...(r.fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: r.fn.reservedConcurrency } } : {}),
    };
  },

  getFunctionConfiguration(input, ctx) {
    return resolveFunction(ctx, input.FunctionName, input.Qualifier).version.config;
  },

  listFunctions(input, ctx) {
    const max = input.MaxItems ?? 50;
    if (max < 1 || max > 10000)
      throw userError(
        `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value ${max < 1 ? "greater than or equal to 1" : "less than or equal to 10000"}`,
      );
    if (input.FunctionVersion !== undefined && input.FunctionVersion !== "ALL")
      throw userError(
        `1 validation error detected: Value '${input.FunctionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
      );
    const t = tables(ctx);
    const all: FunctionConfiguration[] = [];
    for (const { value: fn } of t.functions.list()) {
      all.push(fn.latest.config);
      if (input.FunctionVersion === "ALL") for (const { value } of t.versions.list({ prefix: `${fn.name}#` })) all.push(value.config);
    }
    const { page, next } = paginate("ListFunctions", all, input.Marker, max);
    return { Functions: page, ...(next ? { NextMarker: next } : {}) };
  },

  async updateFunctionCode(input, ctx) {
    const fn = mustGetFunction(ctx, parseFunctionName(ctx, input.FunctionName).name);
    checkRevision(fn.latest.config.RevisionId, input.RevisionId);
    checkNotUpdating(fn);
    const isImage = fn.latest.config.PackageType === "Image";
    if (isImage && !input.ImageUri) throw userError("Please provide ImageUri when updating a function with packageType Image.");
    if (!isImage && input.ImageUri) throw userError("Please don't provide ImageUri when updating a function with packageType Zip.");
    const code = isImage ? undefined : await storeCode(ctx, input);
    if (input.DryRun) {
      if (code) ctx.blobs.delete(code.blobId);
      return { ...fn.latest.config, CodeSha256: code?.sha256 ?? fn.latest.config.CodeSha256, CodeSize: code?.size ?? fn.latest.config.CodeSize };
    }
    const failure = code ? await prepareCode(ctx, { config: fn.latest.config, code }) : undefined;
    let answer: FunctionConfiguration | undefined;
    let before: ReturnType<typeof pick> | undefined;
    transaction(ctx, () => {
      const cur = mustGetFunction(ctx, fn.name);
      const old = cur.latest.code;
      const c = cur.latest.config;
      if (code) {
        cur.latest.code = code;
        c.CodeSha256 = code.sha256;
        c.CodeSize = code.size;
      } else if (input.ImageUri) cur.latest.imageUri = input.ImageUri;
      if (input.Architectures) c.Architectures = input.Architectures;
      c.LastModified = lastModified(ctx.now());
      c.RevisionId = randomUUID();
      c.LastUpdateStatus = "InProgress";
      c.LastUpdateStatusReason = "The function is being created.";
      before = pick(c);
      settle(c, failure);
      tables(ctx).functions.put(cur.name, cur);
      answer = c;
      if (input.Publish) answer = publish(ctx, cur).config;
      if (old) releaseCode(ctx, cur.name, old.blobId);
    });
    engineOf(ctx)?.retire(fn.arn);
    return unsettled(before!, answer!);
  },

  async updateFunctionConfiguration(input, ctx) {
    const fn = mustGetFunction(ctx, parseFunctionName(ctx, input.FunctionName).name);
    checkRevision(fn.latest.config.RevisionId, input.RevisionId);
    checkNotUpdating(fn);
    if (input.Runtime !== undefined) checkRuntimeAllowed(input.Runtime);
    checkLimits(input);
    checkEnvironment(input.Environment?.Variables);
    if (input.Role !== undefined) checkExecutionRole(ctx, input.Role);
    const c = fn.latest.config;
    applyConfig(ctx, c, input, fn.name);
    c.LastModified = lastModified(ctx.now());
    c.RevisionId = randomUUID();
    c.LastUpdateStatus = "InProgress";
    c.LastUpdateStatusReason = "The function is being created.";
    const before = pick(c);
    settle(c, input.Layers !== undefined ? await prepareCode(ctx, fn.latest) : undefined);
    tables(ctx).functions.put(fn.name, fn);
    engineOf(ctx)?.retire(fn.arn);
    return unsettled(before, c);
  },

  deleteFunction(input, ctx) {
    const ref = parseFunctionName(ctx, input.FunctionName, input.Qualifier);
    const t = tables(ctx);
    const fn = mustGetFunction(ctx, ref.name);
    const q = ref.qualifier;
    if (q === LATEST) throw userError("$LATEST version cannot be deleted without deleting the function.");
    if (q !== undefined) {
      if (!/^\d+$/.test(q)) throw userError("Deletion of aliases is not supported.");
      const key = versionKey(fn.name, q);
      const v = t.versions.get(key);
      if (!v) throw notFound(ctx, fn.name, q);
      const users = t.aliases
        .list({ prefix: `${fn.name}#` })
        .filter((a) => a.value.functionVersion === q || a.value.routingConfig?.AdditionalVersionWeights?.[q] !== undefined);
      if (users.length)
        throw new ResourceConflictException(
          `Unable to delete version because the following aliases reference it: [${users.map((a) => a.value.name).join(", ")}]`,
          { Type: "User" },
        );
      transaction(ctx, () => {
        t.versions.delete(key);
        t.permissions.delete(`${fn.name}#${q}`);
        t.invokeConfigs.delete(`${fn.name}#${q}`);
        if (v.code) releaseCode(ctx, fn.name, v.code.blobId);
      });
      engineOf(ctx)?.retire(functionArn(ctx, fn.name, q));
      return { StatusCode: 204 };
    }
    const blobs = new Set<string>();
    transaction(ctx, () => {
      if (fn.latest.code) blobs.add(fn.latest.code.blobId);
      for (const { key, value } of t.versions.list({ prefix: `${fn.name}#` })) {
        if (value.code) blobs.add(value.code.blobId);
        t.versions.delete(key);
      }
      dropUrlIndex(
        ctx,
        t.urls.list({ prefix: `${fn.name}#` }).map((e) => e.value),
      );
      for (const tab of [t.aliases, t.permissions, t.invokeConfigs, t.urls] as {
        list(o: { prefix: string }): { key: string }[];
        delete(k: string): boolean;
      }[]) {
        for (const { key } of tab.list({ prefix: `${fn.name}#` })) tab.delete(key);
      }
      t.functions.delete(fn.name);
    });
    engineOf(ctx)?.retire(fn.arn);
    for (const id of blobs) ctx.blobs.delete(id);
    return { StatusCode: 204 };
  },
} satisfies Partial<LambdaApi>;

/** Deletes a code blob once neither $LATEST nor any version of the function uses it. */
function releaseCode(ctx: HandlerContext, name: string, blobId: string): void {
  const t = tables(ctx);
  const fn = t.functions.get(name);
  if (fn?.latest.code?.blobId === blobId) return;
  if (t.versions.list({ prefix: `${name}#` }).some((v) => v.value.code?.blobId === blobId)) return;
  ctx.blobs.delete(blobId);
}

const createHashHex = (s: string) => createHash("sha256").update(`stratus:${s}`).digest("hex");
