// AWS::KMS::Key and AWS::KMS::Alias for CloudFormation (core/resources.ts), through KMS's own operations. Return
// values as the resource reference documents them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html#aws-resource-kms-key-return-values,
// .../aws-resource-kms-alias.html#aws-resource-kms-alias-return-values): a key's Ref is its key id, GetAtt Arn and
// KeyId; an alias's Ref is its name. A key without KeyPolicy gets KMS's default policy (the account's root may do
// kms:*). Deleting a key schedules its deletion, PendingWindowInDays (7-30, CloudFormation's default 30) ahead; a key
// already pending deletion or gone counts as deleted.
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { KeySpec, KeyUsageType, OriginType, Tag } from "./api.generated.js";
import { defaultKeyPolicy } from "./policies.js";

type Props = Record<string, unknown>;

const KEY_PROPS = new Set([
  "Description",
  "KeyPolicy",
  "KeySpec",
  "KeyUsage",
  "EnableKeyRotation",
  "RotationPeriodInDays",
  "Enabled",
  "PendingWindowInDays",
  "Tags",
  "MultiRegion",
  "Origin",
  "BypassPolicyLockoutSafetyCheck",
]);
/** Fixed when the key is made: a change needs a new key. */
const CREATE_ONLY = ["KeySpec", "KeyUsage", "MultiRegion", "Origin"];

const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === "true");
const policyOf = (req: ResourceRequest, v: unknown): string =>
  v === undefined ? defaultKeyPolicy(req.ctx.account, req.ctx.region) : typeof v === "string" ? v : JSON.stringify(v);
const tagsOf = (props: Props): Tag[] =>
  ((props.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map((t) => ({ TagKey: t.Key, TagValue: String(t.Value) }));

async function keyResult(req: ResourceRequest, keyId: string) {
  const { KeyMetadata } = await req.ctx.client("kms").describeKey({ KeyId: keyId });
  return { physicalId: keyId, ref: keyId, attributes: { Arn: KeyMetadata?.Arn, KeyId: keyId } };
}

async function rotation(req: ResourceRequest, keyId: string, props: Props): Promise<void> {
  const kms = req.ctx.client("kms");
  if (bool(props.EnableKeyRotation)) {
    const period = props.RotationPeriodInDays === undefined ? undefined : Number(props.RotationPeriodInDays);
    await kms.enableKeyRotation({ KeyId: keyId, RotationPeriodInDays: period });
  } else await kms.disableKeyRotation({ KeyId: keyId });
}

const notFound = (e: unknown) => {
  if (!(isServiceError(e) && e.code === "NotFoundException")) throw e;
};

export default {
  "AWS::KMS::Key": {
    // PendingWindowInDays and BypassPolicyLockoutSafetyCheck are the registry schema's writeOnlyProperties.
    notRead: ["PendingWindowInDays", "BypassPolicyLockoutSafetyCheck"],
    async read({ ctx, physicalId: keyId }) {
      const kms = ctx.client("kms");
      let meta: Awaited<ReturnType<typeof kms.describeKey>>["KeyMetadata"];
      try {
        meta = (await kms.describeKey({ KeyId: keyId })).KeyMetadata;
      } catch (e) {
        if (isServiceError(e) && e.code === "NotFoundException") return undefined;
        throw e;
      }
      // A key pending deletion is gone as far as its resource goes.
      if (!meta || meta.KeyState === "PendingDeletion") return undefined;
      const { Policy } = await kms.getKeyPolicy({ KeyId: keyId });
      const model: Record<string, unknown> = {
        KeyId: meta.KeyId,
        Arn: meta.Arn,
        Description: meta.Description ?? "",
        Enabled: meta.Enabled,
        KeySpec: meta.KeySpec,
        KeyUsage: meta.KeyUsage,
        MultiRegion: meta.MultiRegion ?? false,
        Origin: meta.Origin,
        KeyPolicy: Policy ? JSON.parse(Policy) : undefined,
      };
      if (meta.KeySpec === "SYMMETRIC_DEFAULT" && meta.Origin !== "EXTERNAL") {
        const r = await kms.getKeyRotationStatus({ KeyId: keyId });
        model.EnableKeyRotation = r.KeyRotationEnabled ?? false;
        if (r.KeyRotationEnabled && r.RotationPeriodInDays !== undefined) model.RotationPeriodInDays = r.RotationPeriodInDays;
      }
      const tags = (await kms.listResourceTags({ KeyId: keyId })).Tags ?? [];
      if (tags.length) model.Tags = tags.map((t) => ({ Key: t.TagKey, Value: t.TagValue }));
      return model;
    },
    async list(ctx) {
      const ids: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await ctx.client("kms").listKeys({ Marker });
        ids.push(...(page.Keys ?? []).flatMap((k) => (k.KeyId ? [k.KeyId] : [])));
        Marker = page.Truncated ? page.NextMarker : undefined;
      } while (Marker);
      return ids;
    },
    async create(req) {
      const p = req.properties;
      const extra = Object.keys(p).filter((k) => !KEY_PROPS.has(k));
      if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::KMS::Key properties ${extra.join(", ")} yet.`, 400);
      const kms = req.ctx.client("kms");
      const tags = tagsOf(p);
      const { KeyMetadata } = await kms.createKey({
        Description: p.Description as string | undefined,
        Policy: policyOf(req, p.KeyPolicy),
        KeySpec: p.KeySpec as KeySpec | undefined,
        KeyUsage: p.KeyUsage as KeyUsageType | undefined,
        MultiRegion: bool(p.MultiRegion),
        Origin: p.Origin as OriginType | undefined,
        BypassPolicyLockoutSafetyCheck: bool(p.BypassPolicyLockoutSafetyCheck),
        Tags: tags.length ? tags : undefined,
      });
      const keyId = KeyMetadata!.KeyId;
      if (bool(p.EnableKeyRotation)) await rotation(req, keyId, p);
      if (bool(p.Enabled) === false) await kms.disableKey({ KeyId: keyId });
      return keyResult(req, keyId);
    },
    async update(req) {
      const p = req.properties;
      const prev = req.previous;
      const fixed = CREATE_ONLY.filter((k) => JSON.stringify(p[k]) !== JSON.stringify(prev[k]));
      if (fixed.length) throw new ServiceError("InvalidRequest", `Stratus cannot change ${fixed.join(", ")} of a key in place.`, 400);
      const kms = req.ctx.client("kms");
      const KeyId = req.physicalId;
      const changed = (k: string) => JSON.stringify(p[k]) !== JSON.stringify(prev[k]);
      // Enabled first: rotation and descriptions need an enabled key only when it is being enabled anyway.
      if (changed("Enabled") && bool(p.Enabled) !== false) await kms.enableKey({ KeyId });
      if (changed("Description")) await kms.updateKeyDescription({ KeyId, Description: (p.Description as string | undefined) ?? "" });
      if (changed("KeyPolicy"))
        await kms.putKeyPolicy({ KeyId, Policy: policyOf(req, p.KeyPolicy), BypassPolicyLockoutSafetyCheck: bool(p.BypassPolicyLockoutSafetyCheck) });
      if (changed("EnableKeyRotation") || changed("RotationPeriodInDays")) await rotation(req, KeyId, p);
      if (changed("Tags")) {
        const after = tagsOf(p);
        const gone = tagsOf(prev)
          .map((t) => t.TagKey)
          .filter((k) => !after.some((t) => t.TagKey === k));
        if (gone.length) await kms.untagResource({ KeyId, TagKeys: gone });
        if (after.length) await kms.tagResource({ KeyId, Tags: after });
      }
      if (changed("Enabled") && bool(p.Enabled) === false) await kms.disableKey({ KeyId });
      return keyResult(req, KeyId);
    },
    async delete(req) {
      const kms = req.ctx.client("kms");
      try {
        const { KeyMetadata } = await kms.describeKey({ KeyId: req.physicalId });
        if (KeyMetadata?.KeyState === "PendingDeletion") return;
        const days = req.properties.PendingWindowInDays;
        await kms.scheduleKeyDeletion({ KeyId: req.physicalId, PendingWindowInDays: days === undefined ? 30 : Number(days) });
      } catch (e) {
        notFound(e);
      }
    },
  },
  "AWS::KMS::Alias": {
    async create(req) {
      const AliasName = String(req.properties.AliasName);
      await req.ctx.client("kms").createAlias({ AliasName, TargetKeyId: String(req.properties.TargetKeyId) });
      return { physicalId: AliasName, ref: AliasName };
    },
    async update(req) {
      await req.ctx.client("kms").updateAlias({ AliasName: req.physicalId, TargetKeyId: String(req.properties.TargetKeyId) });
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      try {
        await req.ctx.client("kms").deleteAlias({ AliasName: req.physicalId });
      } catch (e) {
        notFound(e);
      }
    },
  },
} satisfies ResourceProviders;
