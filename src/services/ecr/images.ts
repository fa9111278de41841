// A repository's images, as far as Stratus holds any: none yet. The registry (docker push and pull: layers and
// manifests) comes with containers, so every repository is empty, and the read operations say so as ECR does for an
// empty repository — ListImages and DescribeImages list nothing, and an image asked for by tag or digest is not
// found. That is what the CDK CLI asks before it builds an image asset (DescribeImages by tag: ImageNotFoundException
// means "build and push it"), so a deploy reaches the CLI's own step that needs a container engine.
import type { HandlerContext } from "../../core/context.js";
import { ImageNotFoundException, type EcrApi, type ImageIdentifier } from "./api.generated.js";
import { mustRepo } from "./state.js";

/**
 * ECR's message for an image id it does not hold, as ECR answered it (a response recorded from ECR in a public
 * project's test: "The image with imageId {imageDigest:'null', imageTag:'28f3d25'} does not exist within the
 * repository with name '…' in the registry with id '…'").
 */
export const imageNotFound = (id: ImageIdentifier, name: string, registryId: string) =>
  new ImageNotFoundException(
    `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
  );

const registryOf = (ctx: HandlerContext, registryId?: string) => registryId ?? ctx.account;

export const imageHandlers = {
  listImages({ repositoryName, registryId }, ctx) {
    mustRepo(ctx, repositoryName, registryId);
    return { imageIds: [] };
  },

  describeImages({ repositoryName, registryId, imageIds }, ctx) {
    mustRepo(ctx, repositoryName, registryId);
    const first = imageIds?.[0];
    if (first) throw imageNotFound(first, repositoryName, registryOf(ctx, registryId));
    return { imageDetails: [] };
  },
} satisfies Partial<EcrApi>;
