// KMS: the service at a glance — per account+region keys (symmetric, RSA, ECC, HMAC), aliases, policies, grants, tags, rotation.
import { defineService } from "../../core/service.js";
import { kmsResourcePolicy } from "./access.js";
import type { KmsApi } from "./api.generated.js";
import { aliases } from "./aliases.js";
import { asymmetric } from "./asymmetric.js";
import { cryptoOps } from "./crypto.js";
import { grants } from "./grants.js";
import { hmac } from "./hmac.js";
import { keys } from "./keys.js";
import "./managed.js";
import { keyPolicies } from "./policies.js";
import { rotation } from "./rotation.js";
import { tags } from "./tags.js";

const handlers = {
  ...keys,
  ...cryptoOps,
  ...asymmetric,
  ...hmac,
  ...aliases,
  ...keyPolicies,
  ...grants,
  ...rotation,
  ...tags,
} satisfies Partial<KmsApi>;

export default defineService({ name: "kms", handlers, resourcePolicy: kmsResourcePolicy });
