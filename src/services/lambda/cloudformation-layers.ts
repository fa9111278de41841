// Lambda's layer and asynchronous-invocation types (core/resources.ts), through Lambda's own operations; the rest of
// its types are in cloudformation.ts, which serves these too. Ref and GetAtt as the template reference gives them:
// - AWS::Lambda::LayerVersion: Ref and GetAtt LayerVersionArn the version's ARN. Every property replaces it (a new
//   version is published; the old one deleted unless UpdateReplacePolicy/DeletionPolicy is Retain). An unnamed layer
//   is `<stack>-<logicalId>-<RANDOM>` (140 characters at most, PublishLayerVersion's LayerName limit; unverified
//   naming: AWS's page does not say how it names one).
// - AWS::Lambda::LayerVersionPermission: Ref and GetAtt Id `<LayerVersionArn>#<statement id>`, the statement id
//   generated as `<stack>-<logicalId>-<RANDOM>` (the registry schema's primary identifier is Id; unverified form).
// - AWS::Lambda::EventInvokeConfig: no attributes; Ref (the primary identifier, FunctionName and Qualifier) is
//   `<FunctionName>|<Qualifier>`, as Cloud Control joins a compound identifier. DestinationConfig,
//   MaximumEventAgeInSeconds and MaximumRetryAttempts update in place (PutFunctionEventInvokeConfig: what the
//   template drops goes back to Lambda's default).
import type { ResourceProviders } from "../../core/resources.js";
import type { DestinationConfig, FunctionEventInvokeConfig, GetLayerVersionResponse, Architecture, Runtime } from "./api.generated.js";

import { gone, num, type Props, str, tolerant } from "./cloudformation-common.js";

/** AWS::Lambda::LayerVersion, LayerVersionPermission and EventInvokeConfig. */
export const layerProviders = {
  "AWS::Lambda::LayerVersion": {
    // Content (where the zip came from) is the registry schema's writeOnly part.
    notRead: ["Content"],
    async read({ ctx, physicalId: Arn }) {
      let l: GetLayerVersionResponse;
      try {
        l = await ctx.client("lambda").getLayerVersionByArn({ Arn });
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const model: Props = { LayerVersionArn: l.LayerVersionArn, LayerName: layerOfVersion(Arn).name };
      if (l.Description) model.Description = l.Description;
      if (l.CompatibleRuntimes?.length) model.CompatibleRuntimes = l.CompatibleRuntimes;
      if (l.CompatibleArchitectures?.length) model.CompatibleArchitectures = l.CompatibleArchitectures;
      if (l.LicenseInfo !== undefined) model.LicenseInfo = l.LicenseInfo;
      return model;
    },
    async list(ctx) {
      const lambda = ctx.client("lambda");
      const names: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await lambda.listLayers({ Marker });
        names.push(...(page.Layers ?? []).flatMap((l) => (l.LayerName ? [l.LayerName] : [])));
        Marker = page.NextMarker;
      } while (Marker);
      const arns: string[] = [];
      for (const LayerName of names) {
        let VersionMarker: string | undefined;
        do {
          const page = await lambda.listLayerVersions({ LayerName, Marker: VersionMarker });
          arns.push(...(page.LayerVersions ?? []).flatMap((v) => (v.LayerVersionArn ? [v.LayerVersionArn] : [])));
          VersionMarker = page.NextMarker;
        } while (VersionMarker);
      }
      return arns;
    },
    async create(req) {
      const p = req.properties;
      const c = (p.Content ?? {}) as Props;
      const l = await req.ctx.client("lambda").publishLayerVersion({
        LayerName: (p.LayerName as string | undefined) ?? req.generateName(140),
        Description: str(p.Description),
        Content: { S3Bucket: str(c.S3Bucket), S3Key: str(c.S3Key), S3ObjectVersion: str(c.S3ObjectVersion) },
        CompatibleRuntimes: p.CompatibleRuntimes as Runtime[] | undefined,
        CompatibleArchitectures: p.CompatibleArchitectures as Architecture[] | undefined,
        LicenseInfo: str(p.LicenseInfo),
      });
      const arn = l.LayerVersionArn!;
      return { physicalId: arn, ref: arn, attributes: { LayerVersionArn: arn } };
    },
    // Every property replaces the version: no update.
    async delete(req) {
      const { layer, version } = layerOfVersion(req.physicalId);
      await tolerant(() => req.ctx.client("lambda").deleteLayerVersion({ LayerName: layer, VersionNumber: version }));
    },
  },

  "AWS::Lambda::LayerVersionPermission": {
    async read({ ctx, physicalId }) {
      const { arn, sid } = permissionId(physicalId);
      const { layer, version } = layerOfVersion(arn);
      let policy: string | undefined;
      try {
        policy = (await ctx.client("lambda").getLayerVersionPolicy({ LayerName: layer, VersionNumber: version })).Policy;
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const statements = (JSON.parse(policy ?? "{}") as { Statement?: Props[] }).Statement ?? [];
      const st = statements.find((x) => x.Sid === sid);
      if (!st) return undefined;
      const principal = st.Principal as string | { AWS?: string };
      const who = typeof principal === "string" ? principal : (principal.AWS ?? "");
      const model: Props = {
        Id: physicalId,
        LayerVersionArn: arn,
        Action: st.Action,
        // AddLayerVersionPermission stores an account as its root ARN; the template names the account.
        Principal: /^arn:[\w-]+:iam::(\d{12}):root$/.exec(who)?.[1] ?? who,
      };
      const org = (st.Condition as { StringEquals?: Record<string, string> } | undefined)?.StringEquals?.["aws:PrincipalOrgID"];
      if (org) model.OrganizationId = org;
      return model;
    },
    async create(req) {
      const p = req.properties;
      const arn = String(p.LayerVersionArn);
      const { layer, version } = layerOfVersion(arn);
      const sid = req.generateName(100);
      await req.ctx.client("lambda").addLayerVersionPermission({
        LayerName: layer,
        VersionNumber: version,
        StatementId: sid,
        Action: String(p.Action),
        Principal: String(p.Principal),
        OrganizationId: str(p.OrganizationId),
      });
      const id = `${arn}#${sid}`;
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    // Every property replaces the permission: no update.
    async delete(req) {
      const { arn, sid } = permissionId(req.physicalId);
      const { layer, version } = layerOfVersion(arn);
      await tolerant(() => req.ctx.client("lambda").removeLayerVersionPermission({ LayerName: layer, VersionNumber: version, StatementId: sid }));
    },
  },

  "AWS::Lambda::EventInvokeConfig": {
    async read({ ctx, physicalId }) {
      const { FunctionName, Qualifier } = invokeConfigId(physicalId);
      let c: FunctionEventInvokeConfig;
      try {
        c = await ctx.client("lambda").getFunctionEventInvokeConfig({ FunctionName, Qualifier });
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const model: Props = { FunctionName, Qualifier };
      if (c.MaximumEventAgeInSeconds !== undefined) model.MaximumEventAgeInSeconds = c.MaximumEventAgeInSeconds;
      if (c.MaximumRetryAttempts !== undefined) model.MaximumRetryAttempts = c.MaximumRetryAttempts;
      const d: Props = {};
      if (c.DestinationConfig?.OnSuccess?.Destination) d.OnSuccess = { Destination: c.DestinationConfig.OnSuccess.Destination };
      if (c.DestinationConfig?.OnFailure?.Destination) d.OnFailure = { Destination: c.DestinationConfig.OnFailure.Destination };
      if (Object.keys(d).length) model.DestinationConfig = d;
      return model;
    },
    async list(ctx) {
      const lambda = ctx.client("lambda");
      const ids: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await lambda.listFunctions({ Marker });
        for (const f of page.Functions ?? []) {
          let ConfigMarker: string | undefined;
          do {
            const configs = await lambda.listFunctionEventInvokeConfigs({ FunctionName: f.FunctionName!, Marker: ConfigMarker });
            for (const c of configs.FunctionEventInvokeConfigs ?? []) ids.push(`${f.FunctionName}|${c.FunctionArn!.split(":").at(-1)}`);
            ConfigMarker = configs.NextMarker;
          } while (ConfigMarker);
        }
        Marker = page.NextMarker;
      } while (Marker);
      return ids;
    },
    async create(req) {
      const p = req.properties;
      const FunctionName = String(p.FunctionName);
      const Qualifier = String(p.Qualifier);
      await req.ctx.client("lambda").putFunctionEventInvokeConfig({ FunctionName, Qualifier, ...invokeSettings(p) });
      const id = `${FunctionName}|${Qualifier}`;
      return { physicalId: id, ref: id };
    },
    async update(req) {
      // Put, not Update: the whole configuration is the template's, settings it dropped back to Lambda's defaults.
      const { FunctionName, Qualifier } = invokeConfigId(req.physicalId);
      await req.ctx.client("lambda").putFunctionEventInvokeConfig({ FunctionName, Qualifier, ...invokeSettings(req.properties) });
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      const { FunctionName, Qualifier } = invokeConfigId(req.physicalId);
      await tolerant(() => req.ctx.client("lambda").deleteFunctionEventInvokeConfig({ FunctionName, Qualifier }));
    },
  },
} satisfies ResourceProviders;

/** A layer version ARN's parts: the layer's ARN (LayerName as the policy and delete operations take it), its version. */
function layerOfVersion(arn: string): { layer: string; name: string; version: number } {
  const i = arn.lastIndexOf(":");
  const layer = arn.slice(0, i);
  return { layer, name: layer.slice(layer.lastIndexOf(":") + 1), version: Number(arn.slice(i + 1)) };
}

/** A LayerVersionPermission's id, `<LayerVersionArn>#<statement id>`. */
function permissionId(id: string): { arn: string; sid: string } {
  const i = id.lastIndexOf("#");
  return { arn: id.slice(0, i), sid: id.slice(i + 1) };
}

/** An EventInvokeConfig's id, `<FunctionName>|<Qualifier>`. */
function invokeConfigId(id: string): { FunctionName: string; Qualifier: string } {
  const i = id.lastIndexOf("|");
  return { FunctionName: id.slice(0, i), Qualifier: id.slice(i + 1) };
}

/** The template's asynchronous invocation settings as PutFunctionEventInvokeConfig takes them. */
function invokeSettings(p: Props) {
  return {
    MaximumEventAgeInSeconds: num(p.MaximumEventAgeInSeconds),
    MaximumRetryAttempts: num(p.MaximumRetryAttempts),
    DestinationConfig: p.DestinationConfig as DestinationConfig | undefined,
  };
}
