// IAM: the service at a glance — per-account users, groups, roles, policies, keys, MFA; its keys sign requests.
import { inCallerPartition } from "../../core/arn.js";
import { defineService } from "../../core/service.js";
import type { IamApi } from "./api.generated.js";
import { accessKeys } from "./access-keys.js";
import { account } from "./account.js";
import { policyAttachments } from "./attachments.js";
import { groups } from "./groups.js";
import { inlinePolicies } from "./inline-policies.js";
import { instanceProfiles } from "./instance-profiles.js";
import { loginProfiles } from "./login-profiles.js";
import { mfaDevices } from "./mfa.js";
import { oidcProviders } from "./oidc-providers.js";
import { passwordPolicy } from "./password-policy.js";
import { policies } from "./policies.js";
import { roles } from "./roles.js";
import { samlProviders } from "./saml-providers.js";
import { serviceLinkedRoles } from "./service-linked-roles.js";
import { userCredentials } from "./user-credentials.js";
import { users } from "./users.js";

const handlers = {
  ...users,
  ...groups,
  ...roles,
  ...policies,
  ...policyAttachments,
  ...inlinePolicies,
  ...accessKeys,
  ...loginProfiles,
  ...mfaDevices,
  ...instanceProfiles,
  ...account,
  ...passwordPolicy,
  ...oidcProviders,
  ...samlProviders,
  ...serviceLinkedRoles,
  ...userCredentials,
} satisfies Partial<IamApi>;

// IAM is global: its records keep "aws" ARNs and each call answers in its caller's partition.
export default defineService({ name: "iam", handlers: inCallerPartition(handlers) });
