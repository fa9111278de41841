// Secrets Manager's resource types for CloudFormation (core/resources.ts), through its own operations. Return
// values as AWS's CloudFormation resource reference documents them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html,
// …-resourcepolicy.html):
//   AWS::SecretsManager::Secret          Ref: the secret's ARN; GetAtt Id: the secret's ARN
//   AWS::SecretsManager::ResourcePolicy  Ref: the secret's ARN; GetAtt Id: the secret's ARN
//   AWS::SecretsManager::RotationSchedule  Ref: the secret's ARN; GetAtt Id: the secret's ARN (…-rotationschedule.html)
//   AWS::SecretsManager::SecretTargetAttachment  Ref: the secret's ARN (…-secrettargetattachment.html)
// A rotation schedule is RotateSecret with the template's function and rules (RotateImmediatelyOnUpdate, default
// true, decides whether the four steps run now or only testSecret, on create as on update); its delete is
// CancelRotateSecret. HostedRotationLambda needs a rotation function from AWS's Serverless Application Repository,
// and ExternalSecretRotation* a partner's managed rotation: Stratus runs neither, and the resource fails saying so.
// A target attachment fills the secret with its database's connection details, read from the service that owns
// the target type (RDS, Redshift, DocumentDB): Stratus runs none of them, so the resource fails naming the type.
// A secret the template does not name is `<logicalId>-<RANDOM>` (no stack name: AWS's own example makes
// "CloudFormationCreatedSecret-a1b2c3d4e5f6"). GenerateSecretString draws the password from GetRandomPassword and,
// with SecretStringTemplate and GenerateStringKey, puts it under that key of the template's JSON object; a secret
// with neither SecretString nor GenerateSecretString gets a generated password, as CloudFormation's handler does.
// A stack's delete removes the secret at once (ForceDeleteWithoutRecovery), as CloudFormation does.
import { randomUUID } from "node:crypto";
import { isServiceError } from "../../core/errors.js";
import { ResourceFailure, type ResourceProviders, type ResourceRequest } from "../../core/resources.js";
import type { DescribeSecretResponse, GetRandomPasswordRequest, ReplicaRegionType, RotationRulesType, Tag } from "./api.generated.js";
import { InvalidParameterException } from "./api.generated.js";

type Props = Record<string, unknown>;
/** GenerateSecretString: GetRandomPassword's options, plus where the password goes in a JSON template. */
interface Generate extends GetRandomPasswordRequest {
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
}

const sm = (req: ResourceRequest) => req.ctx.client("secrets-manager");
const tagsOf = (p: Props): Tag[] | undefined => {
  const tags = p.Tags as { Key: string; Value: string }[] | undefined;
  return tags?.length ? tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value) })) : undefined;
};
const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === "true");

/** The secret's value: SecretString as given, or generated (GenerateSecretString, or its defaults when neither is given). */
async function secretValue(req: ResourceRequest, p: Props): Promise<string> {
  if (p.SecretString !== undefined) {
    if (p.GenerateSecretString !== undefined) throw new InvalidParameterException("You can't specify both SecretString and GenerateSecretString.");
    return String(p.SecretString);
  }
  const g = (p.GenerateSecretString ?? {}) as Generate;
  if ((g.SecretStringTemplate === undefined) !== (g.GenerateStringKey === undefined)) {
    throw new InvalidParameterException("SecretStringTemplate and GenerateStringKey must both be specified, or neither.");
  }
  const { RandomPassword } = await sm(req).getRandomPassword({
    PasswordLength: g.PasswordLength === undefined ? undefined : Number(g.PasswordLength),
    ExcludeCharacters: g.ExcludeCharacters,
    ExcludeNumbers: bool(g.ExcludeNumbers),
    ExcludePunctuation: bool(g.ExcludePunctuation),
    ExcludeUppercase: bool(g.ExcludeUppercase),
    ExcludeLowercase: bool(g.ExcludeLowercase),
    IncludeSpace: bool(g.IncludeSpace),
    RequireEachIncludedType: bool(g.RequireEachIncludedType),
  });
  if (g.SecretStringTemplate === undefined) return RandomPassword!;
  let template: unknown;
  try {
    template = JSON.parse(g.SecretStringTemplate);
  } catch {
    throw new InvalidParameterException("SecretStringTemplate must be a JSON object.");
  }
  if (typeof template !== "object" || template === null || Array.isArray(template))
    throw new InvalidParameterException("SecretStringTemplate must be a JSON object.");
  return JSON.stringify({ ...template, [String(g.GenerateStringKey)]: RandomPassword });
}

const result = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { Id: arn } });

const notFound = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";

export default {
  "AWS::SecretsManager::Secret": {
    // The registry schema's writeOnlyProperties: the value is never read back.
    notRead: ["SecretString", "GenerateSecretString"],
    async read({ ctx, physicalId: SecretId }) {
      let d: Awaited<ReturnType<ReturnType<typeof sm>["describeSecret"]>>;
      try {
        d = await ctx.client("secrets-manager").describeSecret({ SecretId });
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
      // A secret scheduled for deletion is gone as far as its resource goes.
      if (d.DeletedDate) return undefined;
      const model: Props = { Id: d.ARN, Name: d.Name };
      if (d.Description) model.Description = d.Description;
      if (d.KmsKeyId) model.KmsKeyId = d.KmsKeyId;
      if (d.Type) model.Type = d.Type;
      if (d.Tags?.length) model.Tags = d.Tags.map((t) => ({ Key: t.Key, Value: t.Value }));
      if (d.ReplicationStatus?.length)
        model.ReplicaRegions = d.ReplicationStatus.map((r) => ({ Region: r.Region, ...(r.KmsKeyId ? { KmsKeyId: r.KmsKeyId } : {}) }));
      return model;
    },
    async list(ctx) {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("secrets-manager").listSecrets({ NextToken });
        arns.push(...(page.SecretList ?? []).flatMap((x) => (x.ARN ? [x.ARN] : [])));
        NextToken = page.NextToken;
      } while (NextToken);
      return arns;
    },
    async create(req) {
      const p = req.properties;
      const name = (p.Name as string | undefined) ?? `${req.logicalId}-${req.generateName(0).split("-").pop()}`;
      const { ARN } = await sm(req).createSecret({
        Name: name,
        ClientRequestToken: randomUUID(),
        Description: p.Description as string | undefined,
        KmsKeyId: p.KmsKeyId as string | undefined,
        SecretString: await secretValue(req, p),
        Tags: tagsOf(p),
        Type: p.Type as string | undefined,
        AddReplicaRegions: p.ReplicaRegions as ReplicaRegionType[] | undefined,
      });
      return result(ARN!);
    },
    async update(req) {
      const c = sm(req);
      const p = req.properties;
      const SecretId = req.physicalId;
      const valueChanged =
        JSON.stringify([p.SecretString, p.GenerateSecretString]) !== JSON.stringify([req.previous.SecretString, req.previous.GenerateSecretString]);
      await c.updateSecret({
        SecretId,
        Description: (p.Description as string | undefined) ?? "",
        KmsKeyId: p.KmsKeyId as string | undefined,
        ...(valueChanged ? { SecretString: await secretValue(req, p), ClientRequestToken: randomUUID() } : {}),
      });
      const before = tagsOf(req.previous) ?? [];
      const after = tagsOf(p) ?? [];
      const gone = before.filter((t) => !after.some((a) => a.Key === t.Key)).map((t) => t.Key!);
      if (gone.length) await c.untagResource({ SecretId, TagKeys: gone });
      if (after.length) await c.tagResource({ SecretId, Tags: after });
      return result(SecretId);
    },
    async delete(req) {
      try {
        await sm(req).deleteSecret({ SecretId: req.physicalId, ForceDeleteWithoutRecovery: true });
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
  },

  "AWS::SecretsManager::ResourcePolicy": {
    async create(req) {
      const p = req.properties;
      const policy = typeof p.ResourcePolicy === "string" ? p.ResourcePolicy : JSON.stringify(p.ResourcePolicy);
      const { ARN } = await sm(req).putResourcePolicy({ SecretId: String(p.SecretId), ResourcePolicy: policy, BlockPublicPolicy: bool(p.BlockPublicPolicy) });
      return result(ARN!);
    },
    async update(req) {
      const p = req.properties;
      const policy = typeof p.ResourcePolicy === "string" ? p.ResourcePolicy : JSON.stringify(p.ResourcePolicy);
      await sm(req).putResourcePolicy({ SecretId: req.physicalId, ResourcePolicy: policy, BlockPublicPolicy: bool(p.BlockPublicPolicy) });
      return result(req.physicalId);
    },
    async delete(req) {
      try {
        await sm(req).deleteResourcePolicy({ SecretId: req.physicalId });
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
  },

  "AWS::SecretsManager::RotationSchedule": {
    // Not part of the secret's state: how the schedule was applied, and the hosted function Stratus refuses.
    notRead: ["RotateImmediatelyOnUpdate", "HostedRotationLambda"],
    async read({ ctx, physicalId: SecretId }) {
      let d: DescribeSecretResponse;
      try {
        d = await ctx.client("secrets-manager").describeSecret({ SecretId });
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
      if (d.DeletedDate || !d.RotationEnabled) return undefined;
      const model: Props = { Id: d.ARN, SecretId: d.ARN };
      if (d.RotationLambdaARN) model.RotationLambdaARN = d.RotationLambdaARN;
      if (d.RotationRules) model.RotationRules = d.RotationRules;
      return model;
    },
    async list(ctx) {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("secrets-manager").listSecrets({ NextToken });
        arns.push(...(page.SecretList ?? []).flatMap((x) => (x.ARN && x.RotationEnabled ? [x.ARN] : [])));
        NextToken = page.NextToken;
      } while (NextToken);
      return arns;
    },
    async create(req) {
      return result(await rotate(req, String(req.properties.SecretId)));
    },
    async update(req) {
      return result(await rotate(req, req.physicalId));
    },
    async delete(req) {
      try {
        await sm(req).cancelRotateSecret({ SecretId: req.physicalId });
      } catch (e) {
        // The secret gone (or already without rotation): nothing left to cancel.
        if (!(notFound(e) || (isServiceError(e) && e.code === "InvalidRequestException"))) throw e;
      }
    },
  },

  "AWS::SecretsManager::SecretTargetAttachment": {
    async create(req) {
      return attachTarget(req);
    },
    async update(req) {
      return attachTarget(req);
    },
    // Never created: nothing to detach.
    async delete() {},
  },
} satisfies ResourceProviders;

/** RotateSecret as the template's rotation schedule; the secret's ARN. */
async function rotate(req: ResourceRequest, SecretId: string): Promise<string> {
  const p = req.properties;
  if (p.HostedRotationLambda !== undefined) {
    // unverified wording: Stratus's own reason.
    throw new ResourceFailure(
      "HostedRotationLambda is not supported: Stratus does not run the rotation functions AWS deploys from the Serverless Application Repository. Give RotationLambdaARN, a rotation function of your own, instead.",
    );
  }
  if (p.ExternalSecretRotationRoleArn !== undefined || p.ExternalSecretRotationMetadata !== undefined) {
    // unverified wording: Stratus's own reason.
    throw new ResourceFailure("Managed external secret rotation is not supported: Stratus does not run partners' rotation. Give RotationLambdaARN instead.");
  }
  const r = p.RotationRules as Props | undefined;
  const rules: RotationRulesType | undefined = r && {
    ...(r.AutomaticallyAfterDays !== undefined ? { AutomaticallyAfterDays: Number(r.AutomaticallyAfterDays) } : {}),
    ...(r.ScheduleExpression !== undefined ? { ScheduleExpression: String(r.ScheduleExpression) } : {}),
    ...(r.Duration !== undefined ? { Duration: String(r.Duration) } : {}),
  };
  const { ARN } = await sm(req).rotateSecret({
    SecretId,
    ClientRequestToken: randomUUID(),
    RotationLambdaARN: p.RotationLambdaARN as string | undefined,
    RotationRules: rules,
    RotateImmediately: bool(p.RotateImmediatelyOnUpdate) ?? true,
  });
  return ARN!;
}

/** The service that owns each target type SecretTargetAttachment accepts (AWS's TargetType list). */
const TARGET_SERVICES: Record<string, string> = {
  "AWS::RDS::DBInstance": "Amazon RDS",
  "AWS::RDS::DBCluster": "Amazon RDS",
  "AWS::Redshift::Cluster": "Amazon Redshift",
  "AWS::RedshiftServerless::Namespace": "Amazon Redshift Serverless",
  "AWS::DocDB::DBInstance": "Amazon DocumentDB",
  "AWS::DocDB::DBCluster": "Amazon DocumentDB",
  "AWS::DocDBElastic::Cluster": "Amazon DocumentDB Elastic Clusters",
};

/**
 * The attachment reads the target's connection details (host, port, engine, …) from the service its type names
 * and writes them into the secret. None of those services runs in Stratus: the resource fails, naming the type.
 */
async function attachTarget(req: ResourceRequest): Promise<never> {
  const type = String(req.properties.TargetType);
  const target = String(req.properties.TargetId);
  // The secret must exist all the same: its absence is Secrets Manager's error, as on AWS.
  await sm(req).describeSecret({ SecretId: String(req.properties.SecretId) });
  const service = TARGET_SERVICES[type];
  // unverified wording: Stratus's own reasons.
  if (!service) throw new ResourceFailure(`TargetType ${type} is not supported: it must be one of ${Object.keys(TARGET_SERVICES).join(", ")}.`);
  throw new ResourceFailure(`Stratus does not run ${service}: the secret cannot be attached to the ${type} ${target}, whose connection details it would hold.`);
}
