// X-Ray's sampling-side state: sampling rules (the account's own, and AWS's Default rule once it has been changed),
// the tags of every taggable X-Ray resource (sampling rules and groups, keyed by ARN), the encryption configuration,
// resource policies, the daemons' telemetry records and the indexing rules. Every table is
// per account and region, as X-Ray keeps them. GetSamplingTargets' quota bookkeeping is not here: it lives in the
// running instance (targets.ts), in memory.
import { regionalArn } from "../../../core/arn.js";
import type { HandlerContext } from "../../../core/context.js";
import { defineState, regional } from "../../../core/state.js";
import type { EncryptionConfig, SamplingRule, Tag, TelemetryRecord } from "../api.generated.js";

export interface RuleRec {
  rule: SamplingRule;
  /** Epoch ms. */
  createdAt: number;
  modifiedAt: number;
}

/** One record per taggable resource (a sampling rule, a group): its existence is what TagResource checks. */
export interface TagsRec {
  tags: Tag[];
}

export interface EncryptionRec extends EncryptionConfig {
  /** When the UPDATING status a KMS change starts with reads ACTIVE (epoch ms). */
  activeAt?: number;
}

export interface PolicyRec {
  name: string;
  document: string;
  revision: number;
  updatedAt: number;
}

export interface TelemetryRec {
  ec2InstanceId?: string;
  hostname?: string;
  resourceArn?: string;
  records: TelemetryRecord[];
  receivedAt: number;
}

export interface IndexingRec {
  desired: number;
  modifiedAt: number;
}

export const samplingState = defineState("xray", {
  samplingRules: regional<RuleRec>(),
  tags: regional<TagsRec>(),
  encryption: regional<EncryptionRec>(),
  resourcePolicies: regional<PolicyRec>(),
  telemetry: regional<TelemetryRec>(),
  indexingRules: regional<IndexingRec>(),
});

export const DEFAULT_RULE = "Default";

export const ruleArn = (ctx: Pick<HandlerContext, "account" | "region">, name: string): string => regionalArn(ctx, "xray", `sampling-rule/${name}`);

/** AWS's Default rule as every account starts with it: 1 request a second, then 5%, matching everything. */
export function defaultRule(ctx: Pick<HandlerContext, "account" | "region">): RuleRec {
  return {
    rule: {
      RuleName: DEFAULT_RULE,
      RuleARN: ruleArn(ctx, DEFAULT_RULE),
      ResourceARN: "*",
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: "*",
      ServiceType: "*",
      Host: "*",
      HTTPMethod: "*",
      URLPath: "*",
      Version: 1,
      Attributes: {},
    },
    // AWS answers the Default rule's CreatedAt (and ModifiedAt until it is changed) as the epoch (awscli's
    // examples/xray/get-sampling-rules.rst: "CreatedAt": 0.0).
    createdAt: 0,
    modifiedAt: 0,
  };
}
