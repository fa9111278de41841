// Lambda's CloudFormation types (core/resources.ts), through Lambda's own operations. Ref and GetAtt as the
// CloudFormation template reference gives them (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
// aws-resource-lambda-*.html, "Return values"):
// - AWS::Lambda::Function: Ref the function name; GetAtt Arn, SnapStartResponse(.ApplyOn, .OptimizationStatus).
//   An unnamed function is `<stack>-<logicalId>-<RANDOM>` (64 characters at most). Inline `Code.ZipFile` is
//   packaged as CloudFormation packages it: index.js (Node.js) or index.py (Python), with the `cfn-response`
//   module (node_modules/cfn-response) or `cfnresponse.py` beside it.
// - AWS::Lambda::Permission: Ref (and GetAtt Id) the statement id CloudFormation generates,
//   `<stack>-<logicalId>-<RANDOM>` (100 characters at most, AddPermission's StatementId limit).
// - AWS::Lambda::Version: Ref the version's ARN; GetAtt FunctionArn (the same), Version (the number).
// - AWS::Lambda::Alias: Ref and GetAtt AliasArn the alias ARN.
// - AWS::Lambda::EventSourceMapping: Ref and GetAtt Id the mapping's UUID; GetAtt EventSourceMappingArn.
// - AWS::Lambda::Url: Ref and GetAtt FunctionArn the function's ARN; GetAtt FunctionUrl.
// - AWS::Lambda::LayerVersion, LayerVersionPermission and EventInvokeConfig: cloudformation-layers.ts.
import { writeZip } from "../../core/zip.js";
import { type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import type {
  AliasRoutingConfiguration,
  Architecture,
  CreateEventSourceMappingRequest,
  CreateFunctionRequest,
  Cors,
  FunctionCode,
  FunctionConfiguration,
  FunctionUrlAuthType,
  InvokeMode,
  PackageType,
  Runtime,
  UpdateFunctionConfigurationRequest,
} from "./api.generated.js";
import { InvalidParameterValueException } from "./api.generated.js";

import { bool, gone, num, type Props, same, str, tagMap, tolerant } from "./cloudformation-common.js";
import { layerProviders } from "./cloudformation-layers.js";

function environmentOf(v: unknown): UpdateFunctionConfigurationRequest["Environment"] {
  if (v === undefined) return undefined;
  const vars = (v as { Variables?: Record<string, unknown> }).Variables ?? {};
  return { Variables: Object.fromEntries(Object.entries(vars).map(([k, x]) => [k, String(x)])) };
}

// ---- inline code ----------------------------------------------------------------------------------------------

/** `cfn-response` for Node.js: send(event, context, status, data, physicalResourceId, noEcho), as on AWS. */
const CFN_RESPONSE_JS = `"use strict";
// Stratus's cfn-response: the module CloudFormation adds beside inline Node.js code, with AWS's interface.
exports.SUCCESS = "SUCCESS";
exports.FAILED = "FAILED";
exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho) {
  return new Promise(function (resolve, reject) {
    var body = JSON.stringify({
      Status: responseStatus,
      Reason: "See the details in CloudWatch Log Stream: " + context.logStreamName,
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    console.log("Response body:\\n", body);
    var url = new URL(event.ResponseURL);
    var transport = url.protocol === "http:" ? require("http") : require("https");
    var request = transport.request(
      url,
      { method: "PUT", headers: { "content-type": "", "content-length": Buffer.byteLength(body) } },
      function (response) {
        console.log("Status code: " + response.statusCode);
        response.resume();
        response.on("end", function () {
          if (context.done) context.done();
          resolve();
        });
      },
    );
    request.on("error", function (error) {
      console.log("send(..) failed executing https.request(..): " + error);
      if (context.done) context.done();
      reject(error);
    });
    request.write(body);
    request.end();
  });
};
`;

/** `cfnresponse` for Python: send(event, context, responseStatus, responseData, physicalResourceId, noEcho, reason). */
const CFN_RESPONSE_PY = `# Stratus's cfnresponse: the module CloudFormation adds beside inline Python code, with AWS's interface.
import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    body = json.dumps({
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: {}".format(context.log_stream_name),
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }).encode("utf-8")
    print("Response body:")
    print(body.decode("utf-8"))
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"content-type": "", "content-length": str(len(body))})
    try:
        with urllib.request.urlopen(request) as response:
            print("Status code:", response.status)
    except Exception as e:
        print("send(..) failed executing http.request(..):", e)
`;

/** Inline source as CloudFormation packages it for the function's runtime. */
function inlinePackage(source: string, runtime: string | undefined): Buffer {
  if (runtime?.startsWith("nodejs")) return writeZip({ "index.js": source, "node_modules/cfn-response/index.js": CFN_RESPONSE_JS }, { store: true });
  if (runtime?.startsWith("python")) return writeZip({ "index.py": source, "cfnresponse.py": CFN_RESPONSE_PY }, { store: true });
  // AWS allows ZipFile only for Node.js and Python runtimes (wording not taken from a recorded response).
  throw new InvalidParameterValueException(`ZipFile can only be used when Runtime is set to a Node.js or Python runtime (not ${runtime ?? "none"}).`, {
    Type: "User",
  });
}

/** The template's Code as Lambda's FunctionCode. ImageUri goes through as is: Lambda answers for it. */
function codeOf(props: Props): FunctionCode {
  const c = (props.Code ?? {}) as Props;
  if (typeof c.ZipFile === "string") return { ZipFile: inlinePackage(c.ZipFile, props.Runtime as string | undefined) };
  return {
    S3Bucket: c.S3Bucket as string | undefined,
    S3Key: c.S3Key as string | undefined,
    S3ObjectVersion: c.S3ObjectVersion as string | undefined,
    ImageUri: c.ImageUri as string | undefined,
    SourceKMSKeyArn: c.SourceKMSKeyArn as string | undefined,
  };
}

// ---- AWS::Lambda::Function ------------------------------------------------------------------------------------

/** The configuration properties, as UpdateFunctionConfiguration (and CreateFunction) take them. */
function configOf(p: Props): Omit<UpdateFunctionConfigurationRequest, "FunctionName"> {
  return {
    Role: p.Role as string,
    Handler: p.Handler as string | undefined,
    Runtime: p.Runtime as Runtime | undefined,
    Description: str(p.Description),
    Timeout: num(p.Timeout),
    MemorySize: num(p.MemorySize),
    Environment: environmentOf(p.Environment),
    Layers: p.Layers as string[] | undefined,
    DeadLetterConfig: p.DeadLetterConfig as UpdateFunctionConfigurationRequest["DeadLetterConfig"],
    KMSKeyArn: p.KmsKeyArn as string | undefined,
    TracingConfig: p.TracingConfig as UpdateFunctionConfigurationRequest["TracingConfig"],
    VpcConfig: p.VpcConfig as UpdateFunctionConfigurationRequest["VpcConfig"],
    FileSystemConfigs: p.FileSystemConfigs as UpdateFunctionConfigurationRequest["FileSystemConfigs"],
    ImageConfig: p.ImageConfig as UpdateFunctionConfigurationRequest["ImageConfig"],
    EphemeralStorage: p.EphemeralStorage === undefined ? undefined : { Size: Number((p.EphemeralStorage as { Size: unknown }).Size) },
    SnapStart: p.SnapStart as UpdateFunctionConfigurationRequest["SnapStart"],
    LoggingConfig: p.LoggingConfig as UpdateFunctionConfigurationRequest["LoggingConfig"],
  };
}

function functionResult(c: FunctionConfiguration) {
  const snap = { ApplyOn: c.SnapStart?.ApplyOn ?? "None", OptimizationStatus: c.SnapStart?.OptimizationStatus ?? "Off" };
  return {
    physicalId: c.FunctionName!,
    ref: c.FunctionName!,
    attributes: {
      Arn: c.FunctionArn,
      SnapStartResponse: snap,
      "SnapStartResponse.ApplyOn": snap.ApplyOn,
      "SnapStartResponse.OptimizationStatus": snap.OptimizationStatus,
    },
  };
}

async function setConcurrency(req: ResourceRequest, name: string, reserved: unknown, before: unknown): Promise<void> {
  if (same(reserved, before)) return;
  const lambda = req.ctx.client("lambda");
  if (reserved === undefined) await lambda.deleteFunctionConcurrency({ FunctionName: name });
  else await lambda.putFunctionConcurrency({ FunctionName: name, ReservedConcurrentExecutions: Number(reserved) });
}

// ---- AWS::Lambda::EventSourceMapping ---------------------------------------------------------------------------

/** The properties both CreateEventSourceMapping and UpdateEventSourceMapping take. */
function mappingOf(p: Props) {
  return {
    FunctionName: p.FunctionName as string,
    Enabled: bool(p.Enabled),
    BatchSize: num(p.BatchSize),
    FilterCriteria: p.FilterCriteria as CreateEventSourceMappingRequest["FilterCriteria"],
    MaximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds),
    DestinationConfig: p.DestinationConfig as CreateEventSourceMappingRequest["DestinationConfig"],
    MaximumRecordAgeInSeconds: num(p.MaximumRecordAgeInSeconds),
    BisectBatchOnFunctionError: bool(p.BisectBatchOnFunctionError),
    MaximumRetryAttempts: num(p.MaximumRetryAttempts),
    ParallelizationFactor: num(p.ParallelizationFactor),
    SourceAccessConfigurations: p.SourceAccessConfigurations as CreateEventSourceMappingRequest["SourceAccessConfigurations"],
    TumblingWindowInSeconds: num(p.TumblingWindowInSeconds),
    FunctionResponseTypes: p.FunctionResponseTypes as CreateEventSourceMappingRequest["FunctionResponseTypes"],
    ScalingConfig: p.ScalingConfig as CreateEventSourceMappingRequest["ScalingConfig"],
    DocumentDBEventSourceConfig: p.DocumentDBEventSourceConfig as CreateEventSourceMappingRequest["DocumentDBEventSourceConfig"],
    KMSKeyArn: p.KmsKeyArn as string | undefined,
    MetricsConfig: p.MetricsConfig as CreateEventSourceMappingRequest["MetricsConfig"],
    LoggingConfig: p.LoggingConfig as CreateEventSourceMappingRequest["LoggingConfig"],
    ProvisionedPollerConfig: p.ProvisionedPollerConfig as CreateEventSourceMappingRequest["ProvisionedPollerConfig"],
  };
}

const mappingResult = (uuid: string, arn: string | undefined) => ({ physicalId: uuid, ref: uuid, attributes: { Id: uuid, EventSourceMappingArn: arn } });

// ---- AWS::Lambda::Alias -----------------------------------------------------------------------------------------

/** CloudFormation's RoutingConfig (a list of version weights) as Lambda's (a map). */
function routingOf(p: Props): AliasRoutingConfiguration | undefined {
  const r = p.RoutingConfig as { AdditionalVersionWeights?: { FunctionVersion: string; FunctionWeight: number }[] } | undefined;
  if (!r) return undefined;
  return { AdditionalVersionWeights: Object.fromEntries((r.AdditionalVersionWeights ?? []).map((w) => [w.FunctionVersion, Number(w.FunctionWeight)])) };
}

async function setProvisioned(req: ResourceRequest, fn: string, qualifier: string, config: unknown, before: unknown): Promise<void> {
  if (same(config, before)) return;
  const lambda = req.ctx.client("lambda");
  const n = (config as { ProvisionedConcurrentExecutions?: number } | undefined)?.ProvisionedConcurrentExecutions;
  if (n === undefined) await tolerant(() => lambda.deleteProvisionedConcurrencyConfig({ FunctionName: fn, Qualifier: qualifier }));
  else await lambda.putProvisionedConcurrencyConfig({ FunctionName: fn, Qualifier: qualifier, ProvisionedConcurrentExecutions: Number(n) });
}

export default {
  "AWS::Lambda::Function": {
    // Code is the registry schema's writeOnly part (S3 location, zip file); the rest the read below does not cover.
    notRead: ["Code", "CodeSigningConfigArn", "RuntimeManagementConfig", "RecursiveLoop", "PublishToLatestPublished"],
    async read({ ctx, physicalId: FunctionName }) {
      const lambda = ctx.client("lambda");
      let out: Awaited<ReturnType<typeof lambda.getFunction>>;
      try {
        out = await lambda.getFunction({ FunctionName });
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const c = out.Configuration ?? {};
      const model: Props = {
        FunctionName: c.FunctionName,
        Arn: c.FunctionArn,
        Role: c.Role,
        PackageType: c.PackageType ?? "Zip",
        Timeout: c.Timeout,
        MemorySize: c.MemorySize,
        Architectures: c.Architectures ?? ["x86_64"],
        EphemeralStorage: { Size: c.EphemeralStorage?.Size ?? 512 },
        TracingConfig: { Mode: c.TracingConfig?.Mode ?? "PassThrough" },
        SnapStartResponse: { ApplyOn: c.SnapStart?.ApplyOn ?? "None", OptimizationStatus: c.SnapStart?.OptimizationStatus ?? "Off" },
      };
      if (c.Runtime) model.Runtime = c.Runtime;
      if (c.Handler) model.Handler = c.Handler;
      if (c.Description) model.Description = c.Description;
      if (c.Environment?.Variables && Object.keys(c.Environment.Variables).length) model.Environment = { Variables: c.Environment.Variables };
      if (c.Layers?.length) model.Layers = c.Layers.map((l) => l.Arn);
      if (c.DeadLetterConfig?.TargetArn) model.DeadLetterConfig = { TargetArn: c.DeadLetterConfig.TargetArn };
      if (c.KMSKeyArn) model.KmsKeyArn = c.KMSKeyArn;
      if (c.VpcConfig?.SubnetIds?.length) model.VpcConfig = { SubnetIds: c.VpcConfig.SubnetIds, SecurityGroupIds: c.VpcConfig.SecurityGroupIds ?? [] };
      if (c.FileSystemConfigs?.length) model.FileSystemConfigs = c.FileSystemConfigs;
      if (c.ImageConfigResponse?.ImageConfig) model.ImageConfig = c.ImageConfigResponse.ImageConfig;
      if (c.LoggingConfig) model.LoggingConfig = c.LoggingConfig;
      if (out.Concurrency?.ReservedConcurrentExecutions !== undefined) model.ReservedConcurrentExecutions = out.Concurrency.ReservedConcurrentExecutions;
      Object.assign(model, tagsProperty(out.Tags));
      return model;
    },
    async list(ctx) {
      const names: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await ctx.client("lambda").listFunctions({ Marker });
        names.push(...(page.Functions ?? []).flatMap((f) => (f.FunctionName ? [f.FunctionName] : [])));
        Marker = page.NextMarker;
      } while (Marker);
      return names;
    },
    async create(req) {
      const p = req.properties;
      const name = (p.FunctionName as string | undefined) ?? req.generateName(64);
      const lambda = req.ctx.client("lambda");
      const code = codeOf(p);
      const input: CreateFunctionRequest = {
        ...configOf(p),
        FunctionName: name,
        Role: p.Role as string,
        Code: code,
        PackageType: (p.PackageType as PackageType | undefined) ?? (code.ImageUri ? "Image" : undefined),
        Architectures: p.Architectures as Architecture[] | undefined,
        CodeSigningConfigArn: p.CodeSigningConfigArn as string | undefined,
        Tags: tagMap(p.Tags),
      };
      const created = await lambda.createFunction(input);
      try {
        await setConcurrency(req, name, p.ReservedConcurrentExecutions, undefined);
      } catch (e) {
        await tolerant(() => lambda.deleteFunction({ FunctionName: name }));
        throw e;
      }
      return functionResult(created);
    },
    async update(req) {
      const lambda = req.ctx.client("lambda");
      const name = req.physicalId;
      const p = req.properties;
      const before = configOf(req.previous);
      const now = configOf(p);
      // Settings the template no longer gives go back to Lambda's defaults, as CloudFormation resets them.
      const reset: Partial<UpdateFunctionConfigurationRequest> = {};
      if (before.Description !== undefined && now.Description === undefined) reset.Description = "";
      if (before.Timeout !== undefined && now.Timeout === undefined) reset.Timeout = 3;
      if (before.MemorySize !== undefined && now.MemorySize === undefined) reset.MemorySize = 128;
      if (before.Environment !== undefined && now.Environment === undefined) reset.Environment = { Variables: {} };
      if (before.Layers !== undefined && now.Layers === undefined) reset.Layers = [];
      if (!same(before, now)) await lambda.updateFunctionConfiguration({ ...now, ...reset, FunctionName: name });
      let config: FunctionConfiguration | undefined;
      if (
        !same(req.previous.Code, p.Code) ||
        !same(req.previous.Architectures, p.Architectures) ||
        (typeof (p.Code as Props)?.ZipFile === "string" && !same(req.previous.Runtime, p.Runtime))
      ) {
        const code = codeOf(p);
        config = await lambda.updateFunctionCode({
          FunctionName: name,
          ...code,
          ZipFile: code.ZipFile,
          Architectures: p.Architectures as Architecture[] | undefined,
        });
      }
      const oldTags = tagMap(req.previous.Tags) ?? {};
      const newTags = tagMap(p.Tags) ?? {};
      config ??= await lambda.getFunctionConfiguration({ FunctionName: name });
      const removed = Object.keys(oldTags).filter((k) => !(k in newTags));
      if (removed.length) await lambda.untagResource({ Resource: config.FunctionArn!, TagKeys: removed });
      if (Object.keys(newTags).length && !same(oldTags, newTags)) await lambda.tagResource({ Resource: config.FunctionArn!, Tags: newTags });
      await setConcurrency(req, name, p.ReservedConcurrentExecutions, req.previous.ReservedConcurrentExecutions);
      return functionResult(config);
    },
    async delete(req) {
      await tolerant(() => req.ctx.client("lambda").deleteFunction({ FunctionName: req.physicalId }));
    },
  },

  "AWS::Lambda::Permission": {
    async create(req) {
      const p = req.properties;
      const id = req.generateName(100);
      await req.ctx.client("lambda").addPermission({
        FunctionName: p.FunctionName as string,
        StatementId: id,
        Action: p.Action as string,
        Principal: String(p.Principal),
        SourceArn: p.SourceArn as string | undefined,
        SourceAccount: p.SourceAccount === undefined ? undefined : String(p.SourceAccount),
        EventSourceToken: p.EventSourceToken as string | undefined,
        PrincipalOrgID: p.PrincipalOrgID as string | undefined,
        FunctionUrlAuthType: p.FunctionUrlAuthType as FunctionUrlAuthType | undefined,
        InvokedViaFunctionUrl: bool(p.InvokedViaFunctionUrl),
      });
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    // Every property replaces the permission: no update.
    async delete(req) {
      await tolerant(() => req.ctx.client("lambda").removePermission({ FunctionName: req.properties.FunctionName as string, StatementId: req.physicalId }));
    },
  },

  "AWS::Lambda::Version": {
    async create(req) {
      const p = req.properties;
      const lambda = req.ctx.client("lambda");
      const v = await lambda.publishVersion({
        FunctionName: p.FunctionName as string,
        CodeSha256: p.CodeSha256 as string | undefined,
        Description: str(p.Description),
      });
      await setProvisioned(req, v.FunctionName!, v.Version!, p.ProvisionedConcurrencyConfig, undefined);
      return { physicalId: v.FunctionArn!, ref: v.FunctionArn!, attributes: { FunctionArn: v.FunctionArn, Version: v.Version } };
    },
    async delete(req) {
      await tolerant(() => req.ctx.client("lambda").deleteFunction({ FunctionName: req.physicalId }));
    },
  },

  "AWS::Lambda::Alias": {
    async create(req) {
      const p = req.properties;
      const a = await req.ctx.client("lambda").createAlias({
        FunctionName: p.FunctionName as string,
        Name: p.Name as string,
        FunctionVersion: String(p.FunctionVersion),
        Description: str(p.Description),
        RoutingConfig: routingOf(p),
      });
      await setProvisioned(req, p.FunctionName as string, a.Name!, p.ProvisionedConcurrencyConfig, undefined);
      return { physicalId: a.AliasArn!, ref: a.AliasArn!, attributes: { AliasArn: a.AliasArn } };
    },
    async update(req) {
      const p = req.properties;
      await req.ctx.client("lambda").updateAlias({
        FunctionName: p.FunctionName as string,
        Name: p.Name as string,
        FunctionVersion: String(p.FunctionVersion),
        Description: str(p.Description) ?? "",
        RoutingConfig: routingOf(p) ?? { AdditionalVersionWeights: {} },
      });
      await setProvisioned(req, p.FunctionName as string, p.Name as string, p.ProvisionedConcurrencyConfig, req.previous.ProvisionedConcurrencyConfig);
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { AliasArn: req.physicalId } };
    },
    async delete(req) {
      await tolerant(() => req.ctx.client("lambda").deleteAlias({ FunctionName: req.properties.FunctionName as string, Name: req.properties.Name as string }));
    },
  },

  "AWS::Lambda::EventSourceMapping": {
    async create(req) {
      const p = req.properties;
      const m = await req.ctx.client("lambda").createEventSourceMapping({
        ...mappingOf(p),
        EventSourceArn: p.EventSourceArn as string | undefined,
        StartingPosition: p.StartingPosition as CreateEventSourceMappingRequest["StartingPosition"],
        StartingPositionTimestamp: p.StartingPositionTimestamp === undefined ? undefined : new Date(Number(p.StartingPositionTimestamp) * 1000),
        Topics: p.Topics as string[] | undefined,
        Queues: p.Queues as string[] | undefined,
        SelfManagedEventSource: p.SelfManagedEventSource as CreateEventSourceMappingRequest["SelfManagedEventSource"],
        AmazonManagedKafkaEventSourceConfig: p.AmazonManagedKafkaEventSourceConfig as CreateEventSourceMappingRequest["AmazonManagedKafkaEventSourceConfig"],
        SelfManagedKafkaEventSourceConfig: p.SelfManagedKafkaEventSourceConfig as CreateEventSourceMappingRequest["SelfManagedKafkaEventSourceConfig"],
        Tags: tagMap(p.Tags),
      });
      return mappingResult(m.UUID!, m.EventSourceMappingArn);
    },
    async update(req) {
      const lambda = req.ctx.client("lambda");
      const m = await lambda.updateEventSourceMapping({
        ...mappingOf(req.properties),
        Enabled: bool(req.properties.Enabled) ?? true,
        UUID: req.physicalId,
      });
      const oldTags = tagMap(req.previous.Tags) ?? {};
      const newTags = tagMap(req.properties.Tags) ?? {};
      const removed = Object.keys(oldTags).filter((k) => !(k in newTags));
      if (m.EventSourceMappingArn && removed.length) await lambda.untagResource({ Resource: m.EventSourceMappingArn, TagKeys: removed });
      if (m.EventSourceMappingArn && Object.keys(newTags).length && !same(oldTags, newTags)) {
        await lambda.tagResource({ Resource: m.EventSourceMappingArn, Tags: newTags });
      }
      return mappingResult(req.physicalId, m.EventSourceMappingArn);
    },
    async delete(req) {
      const lambda = req.ctx.client("lambda");
      await tolerant(() => lambda.deleteEventSourceMapping({ UUID: req.physicalId }));
      // A mapping is Deleting until its poller lets go; CloudFormation's handler waits until it is gone.
      for (let i = 0; i < 300; i++) {
        try {
          await lambda.getEventSourceMapping({ UUID: req.physicalId });
        } catch (e) {
          if (gone(e)) return;
          throw e;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  },

  "AWS::Lambda::Url": {
    async create(req) {
      const p = req.properties;
      const u = await req.ctx.client("lambda").createFunctionUrlConfig({
        FunctionName: p.TargetFunctionArn as string,
        Qualifier: p.Qualifier as string | undefined,
        AuthType: p.AuthType as FunctionUrlAuthType,
        Cors: p.Cors as Cors | undefined,
        InvokeMode: p.InvokeMode as InvokeMode | undefined,
      });
      return { physicalId: u.FunctionArn, ref: u.FunctionArn, attributes: { FunctionArn: u.FunctionArn, FunctionUrl: u.FunctionUrl } };
    },
    async update(req) {
      const p = req.properties;
      const u = await req.ctx.client("lambda").updateFunctionUrlConfig({
        FunctionName: p.TargetFunctionArn as string,
        Qualifier: p.Qualifier as string | undefined,
        AuthType: p.AuthType as FunctionUrlAuthType,
        Cors: (p.Cors as Cors | undefined) ?? {},
        InvokeMode: (p.InvokeMode as InvokeMode | undefined) ?? "BUFFERED",
      });
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { FunctionArn: u.FunctionArn, FunctionUrl: u.FunctionUrl } };
    },
    async delete(req) {
      const p = req.properties;
      await tolerant(() =>
        req.ctx.client("lambda").deleteFunctionUrlConfig({ FunctionName: p.TargetFunctionArn as string, Qualifier: p.Qualifier as string | undefined }),
      );
    },
  },

  ...layerProviders,
} satisfies ResourceProviders;
