// Account-level IAM facts: GetAccountSummary, counted from state, with AWS's default quotas.
import type { IamApi } from "./api.generated.js";
import { tables } from "./state.js";

// AWS's default quotas, as GetAccountSummary reports them for a new account.
const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  ServerCertificatesQuota: 20,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  GroupsPerUserQuota: 10,
  SigningCertificatesPerUserQuota: 2,
  AccessKeysPerUserQuota: 2,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  PoliciesQuota: 1500,
  PolicySizeQuota: 6144,
  PolicyVersionsInUseQuota: 10000,
  VersionsPerPolicyQuota: 5,
  GlobalEndpointTokenVersion: 1,
  AssumeRolePolicySizeQuota: 2048,
  InstanceProfilesQuota: 1000,
  RolePolicySizeQuota: 10240,
  RolesQuota: 1000,
};

export const account = {
  getAccountSummary(_input, ctx) {
    const t = tables(ctx);
    const devices = t.mfa.list();
    // PolicyVersionsInUse counts versions of policies that are attached somewhere, AWS's and the account's.
    const attachedArns = new Set(t.policyAttachments.list().map((e) => e.key.split("\u0000")[0]));
    let versionsInUse = 0;
    for (const e of t.policies.list())
      if ([...attachedArns].some((a) => a.endsWith(`:policy${e.value.path}${e.value.name}`))) versionsInUse += e.value.versions.length;
    for (const a of attachedArns) if (/^arn:[\w-]+:iam::aws:/.test(a)) versionsInUse += 1;
    return {
      SummaryMap: {
        ...QUOTAS,
        Users: t.users.count(),
        Groups: t.groups.count(),
        Roles: t.roles.count(),
        Policies: t.policies.count(),
        InstanceProfiles: t.instanceProfiles.count(),
        ServerCertificates: 0,
        Providers: t.oidcProviders.count() + t.samlProviders.count(),
        MFADevices: devices.length,
        MFADevicesInUse: devices.filter((d) => d.value.user).length,
        // Root credentials live outside IAM's tables in Stratus; the account's root has no MFA or keys here.
        AccountMFAEnabled: 0,
        AccountAccessKeysPresent: 0,
        AccountSigningCertificatesPresent: 0,
        PolicyVersionsInUse: versionsInUse,
      },
    };
  },
} satisfies Partial<IamApi>;
