// What a canary is in Lambda, made as AWS makes it — through Lambda's own operations (ctx.client("lambda")), so the
// function is in ListFunctions and runs on Stratus's Lambda runtime: a layer `cwsyn-<canary>-<uuid>` holding the
// canary's code exactly as given (Node.js: nodejs/node_modules/<file>.js; Python: python/<file>.py), and a function
// of the same name whose code is the Synthetics runtime (runtimes/synthetics/<language>/: the wrapper that runs the
// canary's handler and the library it requires), published as a version: the canary's EngineArn.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { HandlerContext } from "../../core/context.js";
import { packageRoot } from "../../core/paths.js";
import { writeZip } from "../../core/zip.js";
import { runtimeSpec } from "./runtime-versions.js";
import type { CanaryRec } from "./state.js";

const runtimeZips = new Map<string, Buffer>();

/** The Synthetics runtime's files for a language, zipped once per process. */
function runtimeZip(language: "node" | "python"): Buffer {
  let zip = runtimeZips.get(language);
  if (!zip) {
    const root = join(packageRoot, "runtimes", "synthetics", language);
    const files: Record<string, Buffer> = {};
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (name === "__pycache__") continue;
        if (statSync(p).isDirectory()) walk(p);
        else files[relative(root, p)] = readFileSync(p);
      }
    };
    walk(root);
    runtimeZips.set(language, (zip = writeZip(files)));
  }
  return zip;
}

export const RUNNER_HANDLER = { node: "stratus-synthetics-runner.handler", python: "stratus_synthetics_runner.handler" } as const;

function layerContent(c: CanaryRec) {
  const code = c.code;
  if (code.zipBase64 !== undefined) return { ZipFile: Buffer.from(code.zipBase64, "base64") };
  return { S3Bucket: code.S3Bucket!.replace(/^s3:\/\//, ""), S3Key: code.S3Key!, ...(code.S3Version ? { S3ObjectVersion: code.S3Version } : {}) };
}

function functionSettings(c: CanaryRec) {
  const spec = runtimeSpec(c.runtimeVersion)!;
  return {
    spec,
    config: {
      Runtime: spec.lambdaRuntime as never,
      Role: c.executionRoleArn,
      Handler: RUNNER_HANDLER[spec.language],
      Timeout: c.runConfig.TimeoutInSeconds,
      MemorySize: c.runConfig.MemoryInMB,
      Environment: { Variables: { ...(c.environment ?? {}), STRATUS_CANARY_NAME: c.name } },
      TracingConfig: { Mode: c.runConfig.ActiveTracing ? ("Active" as const) : ("PassThrough" as const) },
      ...(c.runConfig.EphemeralStorage ? { EphemeralStorage: { Size: c.runConfig.EphemeralStorage } } : {}),
    },
  };
}

const versionArn = (arn: string, version: string | undefined): string => `${arn.replace(/:\d+$/, "")}:${version}`;

/** Publishes the code layer and creates the function (first provisioning). Throws Lambda's error on failure. */
export async function createLambda(ctx: HandlerContext, c: CanaryRec): Promise<{ engineArn: string; layerVersionArn: string }> {
  const lambda = ctx.client("lambda");
  const { spec, config } = functionSettings(c);
  const layer = await lambda.publishLayerVersion({
    LayerName: c.functionName,
    Description: `Created by CloudWatch Synthetics for canary ${c.name}`,
    Content: layerContent(c),
    CompatibleRuntimes: [spec.lambdaRuntime as never],
  });
  const fn = await lambda.createFunction({
    FunctionName: c.functionName,
    Description: `Canary ${c.name} (CloudWatch Synthetics ${c.runtimeVersion})`,
    Code: { ZipFile: runtimeZip(spec.language) },
    Layers: [layer.LayerVersionArn!],
    Publish: true,
    ...(c.tagsToFunction ? { Tags: c.tags } : {}),
    ...config,
  });
  return { engineArn: versionArn(fn.FunctionArn!, fn.Version), layerVersionArn: layer.LayerVersionArn! };
}

/** An update: a new layer version when the code changed, the function's configuration, and a new version. */
export async function updateLambda(ctx: HandlerContext, c: CanaryRec, codeChanged: boolean): Promise<{ engineArn: string; layerVersionArn: string }> {
  const lambda = ctx.client("lambda");
  const { spec, config } = functionSettings(c);
  let layerVersionArn = c.layerVersionArn!;
  if (codeChanged) {
    const layer = await lambda.publishLayerVersion({ LayerName: c.functionName, Content: layerContent(c), CompatibleRuntimes: [spec.lambdaRuntime as never] });
    layerVersionArn = layer.LayerVersionArn!;
  }
  await lambda.updateFunctionConfiguration({ FunctionName: c.functionName, Layers: [layerVersionArn], ...config });
  await lambda.updateFunctionCode({ FunctionName: c.functionName, ZipFile: runtimeZip(spec.language) });
  const v = await lambda.publishVersion({ FunctionName: c.functionName });
  return { engineArn: versionArn(v.FunctionArn!, v.Version), layerVersionArn };
}

/** DeleteCanary with DeleteLambda: the function and every version of the layer. Missing ones are no error. */
export async function deleteLambda(ctx: HandlerContext, c: CanaryRec): Promise<void> {
  const lambda = ctx.client("lambda");
  await lambda.deleteFunction({ FunctionName: c.functionName }).catch(() => {});
  const versions = await lambda.listLayerVersions({ LayerName: c.functionName }).catch(() => ({ LayerVersions: [] }));
  for (const v of versions.LayerVersions ?? []) await lambda.deleteLayerVersion({ LayerName: c.functionName, VersionNumber: v.Version! }).catch(() => {});
}
