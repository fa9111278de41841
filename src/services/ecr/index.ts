// ECR: the control plane of repositories — settings, repository and lifecycle policies, tags — and the registry's
// credentials (registry.ts). The registry itself (layers, manifests, docker push and pull) comes later with
// containers; its operations answer NotImplemented, and the reads of a repository's images answer for an empty
// repository (images.ts).
import { defineService } from "../../core/service.js";
import { ecrResourcePolicy } from "./access.js";
import type { EcrApi } from "./api.generated.js";
import { imageHandlers } from "./images.js";
import { policyHandlers } from "./policies.js";
import { registryHandlers } from "./registry.js";
import { repositoryHandlers } from "./repositories.js";

const handlers = { ...repositoryHandlers, ...policyHandlers, ...imageHandlers, ...registryHandlers } satisfies Partial<EcrApi>;

export default defineService({ name: "ecr", handlers, resourcePolicy: ecrResourcePolicy });
