// Repositories: create, describe (paged, or by name), delete, image scanning and tag mutability settings, tags, and
// the registry's description.
import { parseResourceArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import {
  InvalidParameterException,
  InvalidTagParameterException,
  KmsException,
  RepositoryAlreadyExistsException,
  TooManyTagsException,
  type EcrApi,
  type EncryptionConfiguration,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  type Tag,
} from "./api.generated.js";
import { describeRepo, mustRepo, repositories, repositoryNotFound, transaction, type RepoRec } from "./state.js";

const MAX_TAGS = 50; // https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html (tags per resource: 50)
const DEFAULT_MAX_RESULTS = 100; // DescribeRepositories' documented default

const tagOptions = {
  key: (t: Tag) => t.Key,
  duplicates: "last" as const,
  reserved: { prefix: "aws:", ignoreCase: true, error: () => new InvalidTagParameterException("Tag keys may not start with the reserved prefix aws:") }, // unverified wording
  max: MAX_TAGS,
  tooMany: () => new TooManyTagsException(`The repository cannot have more than ${MAX_TAGS} tags`), // unverified wording
};

/** The mutability setting with its exclusion filters, which only the *_WITH_EXCLUSION settings take (and need). */
function mutability(setting: ImageTagMutability, filters: ImageTagMutabilityExclusionFilter[] | undefined) {
  const withExclusion = setting.endsWith("_WITH_EXCLUSION");
  if (withExclusion && !filters?.length) {
    throw new InvalidParameterException(`Invalid parameter: imageTagMutabilityExclusionFilters must be specified when imageTagMutability is ${setting}`); // unverified wording
  }
  if (!withExclusion && filters?.length) {
    throw new InvalidParameterException(`Invalid parameter: imageTagMutabilityExclusionFilters cannot be specified when imageTagMutability is ${setting}`); // unverified wording
  }
  return { imageTagMutability: setting, exclusionFilters: withExclusion ? filters : undefined };
}

/** AES256 by default; KMS with the caller's key (or the AWS managed key alias/aws/ecr), resolved to its ARN through KMS. */
async function encryption(ctx: HandlerContext, config: EncryptionConfiguration | undefined): Promise<EncryptionConfiguration> {
  if (!config || config.encryptionType === "AES256") {
    if (config?.kmsKey) throw new InvalidParameterException("Invalid parameter: kmsKey can only be specified when encryptionType is KMS or KMS_DSSE"); // unverified wording
    return { encryptionType: "AES256" };
  }
  try {
    const { KeyMetadata } = await ctx.client("kms").describeKey({ KeyId: config.kmsKey ?? "alias/aws/ecr" });
    return { encryptionType: config.encryptionType, kmsKey: KeyMetadata?.Arn };
  } catch (e) {
    if (isServiceError(e) && e.status < 500) throw new KmsException(e.message); // unverified wording: KMS's own message, passed on
    throw e;
  }
}

/** The repository an ECR repository ARN names, in the caller's account and region. */
function repoOfArn(ctx: HandlerContext, arn: string): RepoRec {
  const a = parseResourceArn(arn, "ecr", "repository", "/");
  if (!a) throw new InvalidParameterException("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'"); // unverified wording
  if (a.account !== ctx.account || a.region !== ctx.region) throw repositoryNotFound(a.id, a.account);
  return mustRepo(ctx, a.id);
}

export const repositoryHandlers = {
  async createRepository(input, ctx) {
    const { repositoryName: name, registryId } = input;
    if (registryId !== undefined && registryId !== ctx.account) {
      throw new InvalidParameterException(`Invalid parameter: registryId '${registryId}' is not the caller's registry`); // unverified wording
    }
    const tags = mergeTags<Tag>([], input.tags, { ...tagOptions, reserved: { ...tagOptions.reserved, invokedBy: ctx.invokedBy } });
    const rec: RepoRec = {
      name,
      createdAt: ctx.now(),
      ...mutability(input.imageTagMutability ?? "MUTABLE", input.imageTagMutabilityExclusionFilters),
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      encryption: await encryption(ctx, input.encryptionConfiguration),
      tags,
    };
    if (!repositories(ctx).insert(name, rec)) {
      throw new RepositoryAlreadyExistsException(`The repository with name '${name}' already exists in the registry with id '${ctx.account}'`);
    }
    return { repository: describeRepo(ctx, rec) };
  },

  describeRepositories({ registryId, repositoryNames, nextToken, maxResults }, ctx) {
    if (repositoryNames?.length) {
      // Each named repository, in the order asked; the first one missing fails the call.
      return { repositories: repositoryNames.map((n) => describeRepo(ctx, mustRepo(ctx, n, registryId))) };
    }
    if (registryId !== undefined && registryId !== ctx.account) return { repositories: [] };
    const all = repositories(ctx).list();
    const page = pageByKey(all, (e) => e.key, {
      operation: "DescribeRepositories",
      token: nextToken,
      max: maxResults ?? DEFAULT_MAX_RESULTS,
      invalid: () => new InvalidParameterException("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'"), // unverified wording
      bind: fingerprint([ctx.account, ctx.region]),
    });
    return { repositories: page.items.map((e) => describeRepo(ctx, e.value)), nextToken: page.next };
  },

  deleteRepository({ repositoryName: name, registryId, force }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    // No repository holds images yet (push comes with the registry), so `force` has nothing more to remove and
    // RepositoryNotEmptyException ("The repository with name '…' in registry with id '…' cannot be deleted because it
    // still contains images", moto/ecr/exceptions.py) has nothing to guard until images exist.
    void force;
    transaction(ctx, () => repositories(ctx).delete(name));
    return { repository: describeRepo(ctx, rec) };
  },

  putImageScanningConfiguration({ repositoryName: name, registryId, imageScanningConfiguration }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    rec.scanOnPush = imageScanningConfiguration.scanOnPush ?? false;
    repositories(ctx).put(name, rec);
    return { registryId: ctx.account, repositoryName: name, imageScanningConfiguration: { scanOnPush: rec.scanOnPush } };
  },

  putImageTagMutability({ repositoryName: name, registryId, imageTagMutability, imageTagMutabilityExclusionFilters }, ctx) {
    const rec = mustRepo(ctx, name, registryId);
    Object.assign(rec, mutability(imageTagMutability, imageTagMutabilityExclusionFilters));
    repositories(ctx).put(name, rec);
    return {
      registryId: ctx.account,
      repositoryName: name,
      imageTagMutability: rec.imageTagMutability,
      ...(rec.exclusionFilters ? { imageTagMutabilityExclusionFilters: rec.exclusionFilters } : {}),
    };
  },

  tagResource({ resourceArn, tags }, ctx) {
    const rec = repoOfArn(ctx, resourceArn);
    rec.tags = mergeTags(rec.tags, tags, { ...tagOptions, reserved: { ...tagOptions.reserved, invokedBy: ctx.invokedBy } });
    repositories(ctx).put(rec.name, rec);
    return {};
  },

  untagResource({ resourceArn, tagKeys }, ctx) {
    const rec = repoOfArn(ctx, resourceArn);
    rec.tags = removeTags(rec.tags, tagKeys, (t) => t.Key);
    repositories(ctx).put(rec.name, rec);
    return {};
  },

  listTagsForResource({ resourceArn }, ctx) {
    return { tags: repoOfArn(ctx, resourceArn).tags };
  },

  // The registry's settings: no replication rules (PutReplicationConfiguration is not implemented).
  describeRegistry(_input, ctx) {
    return { registryId: ctx.account, replicationConfiguration: { rules: [] } };
  },
} satisfies Partial<EcrApi>;
