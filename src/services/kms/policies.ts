// Key policies: the default policy AWS writes, validation of policy documents, Get/Put/ListKeyPolicies (stored faithfully; enforcement comes later).
import { partitionOf } from "../../core/arn.js";
import type { KmsApi } from "./api.generated.js";
import { MalformedPolicyDocumentException } from "./api.generated.js";
import { mustNotBePendingDeletion, page, resolveKey, tables, validationError } from "./state.js";

/** The default key policy, in the pretty-printed layout AWS returns it. */
export function defaultKeyPolicy(account: string, region: string): string {
  const partition = partitionOf(region);
  return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:${partition}:iam::${account}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;
}

/** AWS managed keys allow use only through the named service, for principals of the account. */
export function managedKeyPolicy(account: string, service: string, region: string): string {
  const partition = partitionOf(region);
  return `{
  "Version" : "2012-10-17",
  "Id" : "auto-${service}-1",
  "Statement" : [ {
    "Sid" : "Allow access through ${service} for all principals in the account that are authorized to use ${service}",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "${account}",
        "kms:ViaService" : "${service}.${region}.amazonaws.com"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:${partition}:iam::${account}:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
    "Resource" : "*"
  } ]
}`;
}

/** A key policy must be a JSON object with a Statement of Effect/Principal/Action statements. */
export function checkPolicy(doc: string): void {
  let p: unknown;
  try {
    p = JSON.parse(doc);
  } catch {
    throw new MalformedPolicyDocumentException("The policy document is not valid JSON.");
  }
  if (!p || typeof p !== "object" || Array.isArray(p)) throw malformedShape();
  const st = (p as { Statement?: unknown }).Statement;
  const list = Array.isArray(st) ? st : st && typeof st === "object" ? [st] : undefined;
  if (!list || list.length === 0) throw malformedShape();
  for (const s of list) {
    if (!s || typeof s !== "object") throw malformedShape();
    const { Effect, Action, NotAction, Principal, NotPrincipal } = s as Record<string, unknown>;
    if (Effect !== "Allow" && Effect !== "Deny") throw malformedShape();
    if (Action === undefined && NotAction === undefined) throw malformedShape();
    if (Principal === undefined && NotPrincipal === undefined) throw new MalformedPolicyDocumentException("Policy contains a statement with no principal.");
  }
}

const malformedShape = () => new MalformedPolicyDocumentException("The policy document is malformed.");

function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== "default") throw validationError(`Policy name ${name} is not supported. The only valid policy name is "default".`);
}

export const keyPolicies = {
  getKeyPolicy({ KeyId, PolicyName }, ctx) {
    checkPolicyName(PolicyName);
    const k = resolveKey(ctx, KeyId, { aliases: false });
    return { Policy: k.policy, PolicyName: "default" };
  },

  putKeyPolicy({ KeyId, PolicyName, Policy }, ctx) {
    checkPolicyName(PolicyName);
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustNotBePendingDeletion(ctx, k);
    checkPolicy(Policy);
    tables(ctx).keys.put(k.id, { ...k, policy: Policy });
    return {};
  },

  listKeyPolicies({ KeyId, Limit, Marker }, ctx) {
    resolveKey(ctx, KeyId, { aliases: false });
    const p = page("ListKeyPolicies", ["default"], Marker, Limit, 100);
    return { PolicyNames: p.items, Truncated: p.Truncated, NextMarker: p.NextMarker };
  },
} satisfies Partial<KmsApi>;
