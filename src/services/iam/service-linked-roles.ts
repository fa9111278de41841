// Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus, and the
// protection AWS gives them (a service-linked role is changed or deleted only through its service).
//
// Names, paths and policies: a role is named AWSServiceRoleFor<Service> as each service documents it (the table
// below: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html, each
// service's "Using service-linked roles" page; the same table LocalStack keeps in
// localstack-core/localstack/services/iam/resources/service_linked_roles.py), under /aws-service-role/<principal>/,
// trusting only the service principal. For a service principal not in the table the name is derived from its first
// label: each dash-separated word capitalised (ec2-instance-connect.amazonaws.com → AWSServiceRoleForEc2InstanceConnect),
// and a custom suffix is accepted — AWS's own name for such a service may differ.
// CustomSuffix appends "_<suffix>"; services that take one are marked. Refusal wordings: "Custom suffix is not
// allowed for <principal>" (AWS's, as quoted by users for es.amazonaws.com); a name already taken "Service role name
// <name> has been taken in this account, please try a different suffix." (as LocalStack answers; unverified against
// AWS); changing a service-linked role: UnmodifiableEntity "Cannot perform the operation on the protected role
// '<name>' - this role is only modifiable by AWS" (AWS's, as reported by users for PutRolePolicy and
// UpdateAssumeRolePolicy on AWSServiceRoleFor* roles).
// The AWS managed policy a service attaches is attached when Stratus's catalog has it (aws-managed.ts); others are
// not attached, rather than attaching a policy GetPolicy could not show.
import { randomUUID } from "node:crypto";
import type { IamApi } from "./api.generated.js";
import { InvalidInputException, NoSuchEntityException } from "./api.generated.js";
import { awsManagedPolicy } from "./aws-managed.js";
import { mustRole, newId, roleArn, roleOut } from "./common.js";
import { attachments, inline } from "./links.js";
import type { RoleRec } from "./state.js";
import { nameKey, tables, transaction } from "./state.js";

interface LinkedService {
  role: string;
  policy: string;
  suffix?: true;
}

const P = "arn:aws:iam::aws:policy/aws-service-role/";

// Service principal → role name, its AWS managed policy, and whether a custom suffix is allowed.
export const SERVICE_LINKED_ROLES: Record<string, LinkedService> = {
  "acm.amazonaws.com": { role: "AWSServiceRoleForCertificateManager", policy: "CertificateManagerServiceRolePolicy" },
  "autoscaling.amazonaws.com": { role: "AWSServiceRoleForAutoScaling", policy: "AutoScalingServiceRolePolicy", suffix: true },
  "backup.amazonaws.com": { role: "AWSServiceRoleForBackup", policy: "AWSBackupServiceLinkedRolePolicyForBackup" },
  "batch.amazonaws.com": { role: "AWSServiceRoleForBatch", policy: "BatchServiceRolePolicy" },
  "cloudtrail.amazonaws.com": { role: "AWSServiceRoleForCloudTrail", policy: "CloudTrailServiceRolePolicy" },
  "config.amazonaws.com": { role: "AWSServiceRoleForConfig", policy: "AWSConfigServiceRolePolicy" },
  "connect.amazonaws.com": { role: "AWSServiceRoleForAmazonConnect", policy: "AmazonConnectServiceLinkedRolePolicy", suffix: true },
  "dms.amazonaws.com": { role: "AWSServiceRoleForDMSServerless", policy: "AWSDMSServerlessServiceRolePolicy" },
  "ecr.amazonaws.com": { role: "AWSServiceRoleForECRTemplate", policy: "ECRTemplateServiceRolePolicy" },
  "ecs.amazonaws.com": { role: "AWSServiceRoleForECS", policy: "AmazonECSServiceRolePolicy" },
  "eks.amazonaws.com": { role: "AWSServiceRoleForAmazonEKS", policy: "AmazonEKSServiceRolePolicy" },
  "eks-nodegroup.amazonaws.com": { role: "AWSServiceRoleForAmazonEKSNodegroup", policy: "AWSServiceRoleForAmazonEKSNodegroup" },
  "elasticache.amazonaws.com": { role: "AWSServiceRoleForElastiCache", policy: "ElastiCacheServiceRolePolicy" },
  "elasticbeanstalk.amazonaws.com": { role: "AWSServiceRoleForElasticBeanstalk", policy: "AWSElasticBeanstalkServiceRolePolicy" },
  "elasticfilesystem.amazonaws.com": { role: "AWSServiceRoleForAmazonElasticFileSystem", policy: "AmazonElasticFileSystemServiceRolePolicy" },
  "elasticloadbalancing.amazonaws.com": { role: "AWSServiceRoleForElasticLoadBalancing", policy: "AWSElasticLoadBalancingServiceRolePolicy" },
  "kafka.amazonaws.com": { role: "AWSServiceRoleForKafka", policy: "KafkaServiceRolePolicy" },
  "lakeformation.amazonaws.com": { role: "AWSServiceRoleForLakeFormationDataAccess", policy: "LakeFormationDataAccessServiceRolePolicy" },
  "lex.amazonaws.com": { role: "AWSServiceRoleForLexBots", policy: "AmazonLexBotPolicy" },
  "lexv2.amazonaws.com": { role: "AWSServiceRoleForLexV2Bots", policy: "AmazonLexV2BotPolicy", suffix: true },
  "mq.amazonaws.com": { role: "AWSServiceRoleForAmazonMQ", policy: "AmazonMQServiceRolePolicy" },
  "opensearchservice.amazonaws.com": { role: "AWSServiceRoleForAmazonOpenSearchService", policy: "AmazonOpenSearchServiceRolePolicy" },
  "ops.apigateway.amazonaws.com": { role: "AWSServiceRoleForAPIGateway", policy: "APIGatewayServiceRolePolicy" },
  "rds.amazonaws.com": { role: "AWSServiceRoleForRDS", policy: "AmazonRDSServiceRolePolicy" },
  "redshift.amazonaws.com": { role: "AWSServiceRoleForRedshift", policy: "AmazonRedshiftServiceLinkedRolePolicy" },
  "replication.ecr.amazonaws.com": { role: "AWSServiceRoleForECRReplication", policy: "ECRReplicationServiceRolePolicy" },
  "ses.amazonaws.com": { role: "AWSServiceRoleForAmazonSES", policy: "AmazonSESServiceRolePolicy" },
  "ssm.amazonaws.com": { role: "AWSServiceRoleForAmazonSSM", policy: "AmazonSSMServiceRolePolicy" },
  "sso.amazonaws.com": { role: "AWSServiceRoleForSSO", policy: "AWSSSOServiceRolePolicy" },
};

/** The role name and policy for a service principal: the table's, else derived from its first label. */
export function linkedServiceOf(principal: string): LinkedService {
  const known = SERVICE_LINKED_ROLES[principal];
  if (known) return known;
  const label = principal.split(".")[0];
  const words = label.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return { role: `AWSServiceRoleFor${words.join("")}`, policy: "", suffix: true };
}

const PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

const TASK = /^task\/aws-service-role\/[^/]+\/[^/]+\/[0-9a-f-]{36}$/;

export const serviceLinkedRoles = {
  createServiceLinkedRole({ AWSServiceName, Description, CustomSuffix }, ctx) {
    // Wording unverified: a name that is no AWS service principal.
    if (!PRINCIPAL.test(AWSServiceName)) throw new InvalidInputException(`Invalid service principal: ${AWSServiceName}`);
    const linked = linkedServiceOf(AWSServiceName);
    if (CustomSuffix !== undefined && !linked.suffix) throw new InvalidInputException(`Custom suffix is not allowed for ${AWSServiceName}`);
    const name = CustomSuffix !== undefined ? `${linked.role}_${CustomSuffix}` : linked.role;
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: [AWSServiceName] }, Action: ["sts:AssumeRole"] }],
    });
    const rec: RoleRec = {
      name,
      id: newId("AROA"),
      path: `/aws-service-role/${AWSServiceName}/`,
      createDate: ctx.now(),
      trust,
      description: Description,
      maxSessionDuration: 3600,
      tags: [],
      linkedService: AWSServiceName,
    };
    const t = tables(ctx);
    const policyArn = linked.policy ? P + linked.policy : undefined;
    transaction(ctx, () => {
      if (!t.roles.insert(nameKey(name), rec)) {
        throw new InvalidInputException(`Service role name ${name} has been taken in this account, please try a different suffix.`);
      }
      if (policyArn && awsManagedPolicy(policyArn)) attachments.attach(t, "role", nameKey(name), policyArn);
    });
    const { RoleLastUsed: _, ...out } = roleOut(ctx.account, rec, true);
    return { Role: out };
  },

  deleteServiceLinkedRole({ RoleName }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    // Wording unverified: a role that is not service-linked.
    if (!r.linkedService) throw new InvalidInputException(`Role ${r.name} is not a service-linked role.`);
    const key = nameKey(r.name);
    const taskId = `task/aws-service-role/${r.linkedService}/${r.name}/${randomUUID()}`;
    // No Stratus service holds resources that use a service-linked role, so deletion completes at once.
    transaction(ctx, () => {
      for (const arn of attachments.policiesOf(t, "role", key)) attachments.detach(t, "role", key, arn);
      for (const e of inline.list(t, "role", key)) t.inline.delete(e.key);
      for (const p of t.instanceProfiles.list()) {
        if (p.value.roles.includes(key)) t.instanceProfiles.put(p.key, { ...p.value, roles: p.value.roles.filter((x) => x !== key) });
      }
      t.roles.delete(key);
      t.slrDeletions.put(taskId, { status: "SUCCEEDED", roleArn: roleArn(ctx.account, r) });
    });
    return { DeletionTaskId: taskId };
  },

  getServiceLinkedRoleDeletionStatus({ DeletionTaskId }, ctx) {
    // Wordings unverified.
    if (!TASK.test(DeletionTaskId)) throw new InvalidInputException(`Invalid deletion task id: ${DeletionTaskId}`);
    const task = tables(ctx).slrDeletions.get(DeletionTaskId);
    if (!task) throw new NoSuchEntityException(`Deletion task ${DeletionTaskId} cannot be found.`);
    return { Status: task.status };
  },
} satisfies Partial<IamApi>;
