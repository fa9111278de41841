// AWS::ECR::Repository for CloudFormation (core/resources.ts) and Cloud Control, through ECR's own operations. Ref is
// the repository name; GetAtt: Arn, RepositoryUri (the resource specification's attributes). A repository the
// template does not name gets `<stack>-<logicalid>-<random>` in lower case, as ECR names must be.
import { isServiceError } from "../../core/errors.js";
import { listAllIds, type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import type { ImageTagMutability, ImageTagMutabilityExclusionFilter, Tag } from "./api.generated.js";

type Props = Record<string, unknown>;

/** A policy property as ECR takes it: CloudFormation allows the document as an object or as JSON text. */
const policyText = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v));

const tagsOf = (p: Props): Tag[] => ((p.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: String(t.Value) }));

const lifecycleText = (p: Props): string | undefined => (p.LifecyclePolicy as { LifecyclePolicyText?: string } | undefined)?.LifecyclePolicyText;

const exclusionFilters = (p: Props): ImageTagMutabilityExclusionFilter[] | undefined =>
  (
    p.ImageTagMutabilityExclusionFilters as { ImageTagMutabilityExclusionFilterType: string; ImageTagMutabilityExclusionFilterValue: string }[] | undefined
  )?.map((f) => ({ filterType: f.ImageTagMutabilityExclusionFilterType as "WILDCARD", filter: f.ImageTagMutabilityExclusionFilterValue }));

const gone = (e: unknown) => isServiceError(e) && e.code === "RepositoryNotFoundException";
const notSet = (e: unknown) => isServiceError(e) && /PolicyNotFoundException$/.test(e.code);

async function result(req: Pick<ResourceRequest, "ctx">, name: string) {
  const { repositories } = await req.ctx.client("ecr").describeRepositories({ repositoryNames: [name] });
  const r = repositories?.[0];
  return { physicalId: name, ref: name, attributes: { Arn: r?.repositoryArn, RepositoryUri: r?.repositoryUri } };
}

/** Sets the repository policy and lifecycle policy the properties give, and removes those `previous` had and these do not. */
async function applyPolicies(req: ResourceRequest, name: string, p: Props, previous: Props = {}): Promise<void> {
  const ecr = req.ctx.client("ecr");
  const policy = policyText(p.RepositoryPolicyText);
  if (policy !== undefined) await ecr.setRepositoryPolicy({ repositoryName: name, policyText: policy });
  else if (previous.RepositoryPolicyText !== undefined) await ecr.deleteRepositoryPolicy({ repositoryName: name }).catch(ignore(notSet));
  const lifecycle = lifecycleText(p);
  if (lifecycle !== undefined) await ecr.putLifecyclePolicy({ repositoryName: name, lifecyclePolicyText: lifecycle });
  else if (lifecycleText(previous) !== undefined) await ecr.deleteLifecyclePolicy({ repositoryName: name }).catch(ignore(notSet));
}

const ignore = (what: (e: unknown) => boolean) => (e: unknown) => {
  if (!what(e)) throw e;
};

export default {
  "AWS::ECR::Repository": {
    async create(req) {
      const p = req.properties;
      const name = (p.RepositoryName as string | undefined) ?? req.generateName(256, { lowercase: true });
      const scanning = p.ImageScanningConfiguration as { ScanOnPush?: boolean | string } | undefined;
      const encryption = p.EncryptionConfiguration as { EncryptionType: "AES256" | "KMS" | "KMS_DSSE"; KmsKey?: string } | undefined;
      const ecr = req.ctx.client("ecr");
      await ecr.createRepository({
        repositoryName: name,
        imageTagMutability: p.ImageTagMutability as ImageTagMutability | undefined,
        imageTagMutabilityExclusionFilters: exclusionFilters(p),
        imageScanningConfiguration: scanning ? { scanOnPush: scanning.ScanOnPush === true || scanning.ScanOnPush === "true" } : undefined,
        encryptionConfiguration: encryption ? { encryptionType: encryption.EncryptionType, kmsKey: encryption.KmsKey } : undefined,
        tags: tagsOf(p),
      });
      try {
        await applyPolicies(req, name, p);
      } catch (e) {
        // A refused policy fails the create: the repository made for it goes too, as CloudFormation's handler leaves nothing.
        await ecr.deleteRepository({ repositoryName: name, force: true }).catch(() => {});
        throw e;
      }
      return result(req, name);
    },
    async update(req) {
      const p = req.properties;
      const name = req.physicalId;
      const ecr = req.ctx.client("ecr");
      const scanning = p.ImageScanningConfiguration as { ScanOnPush?: boolean | string } | undefined;
      await ecr.putImageScanningConfiguration({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: scanning?.ScanOnPush === true || scanning?.ScanOnPush === "true" },
      });
      await ecr.putImageTagMutability({
        repositoryName: name,
        imageTagMutability: (p.ImageTagMutability as ImageTagMutability | undefined) ?? "MUTABLE",
        imageTagMutabilityExclusionFilters: exclusionFilters(p),
      });
      await applyPolicies(req, name, p, req.previous);
      const { repositories } = await ecr.describeRepositories({ repositoryNames: [name] });
      const arn = repositories?.[0]?.repositoryArn as string;
      const after = tagsOf(p);
      const removed = tagsOf(req.previous)
        .map((t) => t.Key)
        .filter((k) => !after.some((t) => t.Key === k));
      if (removed.length) await ecr.untagResource({ resourceArn: arn, tagKeys: removed });
      if (after.length) await ecr.tagResource({ resourceArn: arn, tags: after });
      return result(req, name);
    },
    async delete(req) {
      // EmptyOnDelete: a repository still holding images is deleted with them (force); none holds images yet.
      const force = req.properties.EmptyOnDelete === true || req.properties.EmptyOnDelete === "true";
      await req.ctx.client("ecr").deleteRepository({ repositoryName: req.physicalId, force }).catch(ignore(gone));
    },
    async read({ ctx, physicalId: name }) {
      const ecr = ctx.client("ecr");
      let r: Awaited<ReturnType<typeof ecr.describeRepositories>>["repositories"];
      try {
        r = (await ecr.describeRepositories({ repositoryNames: [name] })).repositories;
      } catch (e) {
        if (gone(e)) return undefined;
        throw e;
      }
      const repo = r?.[0];
      if (!repo) return undefined;
      const model: Props = {
        RepositoryName: name,
        Arn: repo.repositoryArn,
        RepositoryUri: repo.repositoryUri,
        ImageTagMutability: repo.imageTagMutability,
        ImageScanningConfiguration: { ScanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false },
        EncryptionConfiguration: {
          EncryptionType: repo.encryptionConfiguration?.encryptionType,
          ...(repo.encryptionConfiguration?.kmsKey ? { KmsKey: repo.encryptionConfiguration.kmsKey } : {}),
        },
      };
      if (repo.imageTagMutabilityExclusionFilters?.length) {
        model.ImageTagMutabilityExclusionFilters = repo.imageTagMutabilityExclusionFilters.map((f) => ({
          ImageTagMutabilityExclusionFilterType: f.filterType,
          ImageTagMutabilityExclusionFilterValue: f.filter,
        }));
      }
      const policy = await ecr.getRepositoryPolicy({ repositoryName: name }).catch(ignore(notSet));
      if (policy?.policyText) model.RepositoryPolicyText = JSON.parse(policy.policyText);
      const lifecycle = await ecr.getLifecyclePolicy({ repositoryName: name }).catch(ignore(notSet));
      if (lifecycle?.lifecyclePolicyText) model.LifecyclePolicy = { LifecyclePolicyText: lifecycle.lifecyclePolicyText };
      const { tags } = await ecr.listTagsForResource({ resourceArn: repo.repositoryArn as string });
      Object.assign(model, tagsProperty(Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]))));
      return model;
    },
    notRead: ["EmptyOnDelete"],
    list: (ctx) =>
      listAllIds(async (nextToken) => {
        const page = await ctx.client("ecr").describeRepositories({ nextToken, maxResults: 1000 });
        return { ids: (page.repositories ?? []).map((r) => r.repositoryName), next: page.nextToken };
      }),
  },
} satisfies ResourceProviders;
