// ECR state: repositories (per account+region) with their settings, tags and policies; ARNs, URIs and lookups
// that fail as ECR words them. The registry (image layers, manifests, push and pull) comes later with containers.
import { partitionOf, regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { PARTITIONS } from "../../core/partitions.generated.js";
import { defineState, regional } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import {
  LifecyclePolicyNotFoundException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  type EncryptionConfiguration,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  type Repository,
  type Tag,
} from "./api.generated.js";

export interface RepoRec {
  name: string;
  createdAt: number;
  imageTagMutability: ImageTagMutability;
  exclusionFilters?: ImageTagMutabilityExclusionFilter[];
  scanOnPush: boolean;
  encryption: EncryptionConfiguration;
  tags: Tag[];
  /** The repository policy, as the caller sent it. */
  policy?: string;
  lifecyclePolicy?: string;
}

/** A registry password GetAuthorizationToken issued, kept by its hash (registry.ts). */
export interface AuthTokenRec {
  principalArn: string;
  accountId: string;
  expiresAt: number;
}

export const ecrState = defineState("ecr", { repositories: regional<RepoRec>(), authTokens: regional<AuthTokenRec>() });

export const repositories = (ctx: HandlerContext): Table<RepoRec> => ecrState.of(ctx).repositories;
export const authTokens = (ctx: HandlerContext): Table<AuthTokenRec> => ecrState.of(ctx).authTokens;

export { transaction } from "../../core/state.js";

// The messages below are AWS's, as moto's ECR exceptions (moto/ecr/exceptions.py) and users' reports record them.
export const repositoryNotFound = (name: string, registryId: string) =>
  new RepositoryNotFoundException(`The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
export const repositoryPolicyNotFound = (name: string, registryId: string) =>
  new RepositoryPolicyNotFoundException(`Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);
export const lifecyclePolicyNotFound = (name: string, registryId: string) =>
  new LifecyclePolicyNotFoundException(`Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);

/**
 * The repository `name` of the registry `registryId` (default: the caller's). Another account's registry is out of
 * reach (cross-account access through repository policies is not evaluated here): its repositories are not found.
 */
export function mustRepo(ctx: HandlerContext, name: string, registryId?: string): RepoRec {
  const registry = registryId ?? ctx.account;
  const rec = registry === ctx.account ? repositories(ctx).get(name) : undefined;
  if (!rec) throw repositoryNotFound(name, registry);
  return rec;
}

export const repositoryArn = (ctx: HandlerContext, name: string) => regionalArn(ctx, "ecr", `repository/${name}`);

/** `<registry host>/<name>`, as ECR names a repository's URI. */
export function repositoryUri(ctx: HandlerContext, name: string): string {
  return `${registryHost(ctx.region, ctx.account)}/${name}`;
}

/** `<account>.dkr.ecr.<region>.<partition's DNS suffix>`: the host of an account's registry in a region. */
export function registryHost(region: string, registryId: string): string {
  const suffix = PARTITIONS.find((p) => p.id === partitionOf(region))?.dnsSuffix ?? "amazonaws.com";
  return `${registryId}.dkr.ecr.${region}.${suffix}`;
}

/** A repository as DescribeRepositories and CreateRepository answer it. */
export function describeRepo(ctx: HandlerContext, r: RepoRec): Repository {
  return {
    repositoryArn: repositoryArn(ctx, r.name),
    registryId: ctx.account,
    repositoryName: r.name,
    repositoryUri: repositoryUri(ctx, r.name),
    createdAt: new Date(r.createdAt),
    imageTagMutability: r.imageTagMutability,
    ...(r.exclusionFilters?.length ? { imageTagMutabilityExclusionFilters: r.exclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryption,
  };
}
