// Sampling rules: AWS's Default rule (always there, only its FixedRate and ReservoirSize may change, never deleted)
// and the account's own, at most 25 per region. GetSamplingRules answers every rule in name order (awscli's
// examples/xray/get-sampling-rules.rst: Default, base-scorekeep, polling-scorekeep) with `Attributes` always present
// — the X-Ray SDKs skip a rule without it (aws-xray-sdk-core's service_connector isRuleValid).
//
// Error texts: "Invalid update request for default sampling rule" is AWS's (hashicorp/terraform-provider-aws#49597,
// an UpdateSamplingRule of the Default rule's Priority); an unknown rule is InvalidRequestException "Sampling rule does
// not exist" (what the Terraform provider's aws_xray_sampling_rule delete tolerates, internal/service/xray/
// sampling_rule.go); the others are marked unverified.
import { parseResourceArn } from "../../../core/arn.js";
import type { HandlerContext } from "../../../core/context.js";
import { pageByKey } from "../../../core/paging.js";
import { transaction } from "../../../core/state.js";
import {
  InvalidRequestException,
  RuleLimitExceededException,
  type SamplingRule,
  type SamplingRuleRecord,
  type SamplingRuleUpdate,
  type XrayApi,
} from "../api.generated.js";
import { regionKey, samplingRunning, type RulesView } from "./running.js";
import { DEFAULT_RULE, defaultRule, ruleArn, samplingState, type RuleRec } from "./state.js";
import { checkTags, forgetTaggable, registerTaggable } from "./tags.js";

/** Custom rules per account and region, the Default rule aside (unverified: whether Default counts). */
export const MAX_RULES = 25;
const PAGE = 100;

const invalid = (message: string) => new InvalidRequestException(message);
export const RULE_NOT_FOUND = "Sampling rule does not exist";
const notFound = () => invalid(RULE_NOT_FOUND);

/** The record as the API answers it. */
export const recordOf = (r: RuleRec): SamplingRuleRecord => ({
  SamplingRule: { ...r.rule, Attributes: { ...(r.rule.Attributes ?? {}) } },
  CreatedAt: new Date(r.createdAt),
  ModifiedAt: new Date(r.modifiedAt),
});

/** Every rule of the caller's region (the Default one included), from the running instance's view when it has one. */
export function rulesView(ctx: HandlerContext): RulesView {
  const running = samplingRunning(ctx);
  const key = regionKey(ctx);
  let view = running.rules.get(key);
  if (!view) {
    const stored = samplingState
      .of(ctx)
      .samplingRules.list()
      .map((e) => e.value);
    if (!stored.some((r) => r.rule.RuleName === DEFAULT_RULE)) stored.push(defaultRule(ctx));
    stored.sort((a, b) => (a.rule.RuleName! < b.rule.RuleName! ? -1 : a.rule.RuleName! > b.rule.RuleName! ? 1 : 0));
    view = {
      list: stored,
      byName: new Map(stored.map((r) => [r.rule.RuleName!, r])),
      lastModified: stored.reduce((m, r) => Math.max(m, r.modifiedAt), 0),
    };
    running.rules.set(key, view);
  }
  return view;
}

const changed = (ctx: HandlerContext) => samplingRunning(ctx).rules.delete(regionKey(ctx));

/** The rule a request names by RuleName or RuleARN (one of them, or both naming the same rule). */
function locate(ctx: HandlerContext, name: string | undefined, arn: string | undefined): RuleRec {
  if (name === undefined && arn === undefined) throw invalid("Either RuleName or RuleARN must be specified."); // unverified wording
  let byArn: string | undefined;
  if (arn !== undefined) {
    const parsed = parseResourceArn(arn, "xray", "sampling-rule", "/");
    byArn = parsed && parsed.account === ctx.account && parsed.region === ctx.region ? parsed.id : undefined;
    if (byArn === undefined) throw notFound();
  }
  if (name !== undefined && byArn !== undefined && name !== byArn) throw invalid("RuleName and RuleARN name different sampling rules."); // unverified wording
  const key = (name ?? byArn)!;
  const rec = rulesView(ctx).byName.get(key);
  if (!rec) throw notFound();
  return structuredClone(rec);
}

/** The checks the model cannot express (the update's numbers are unconstrained nullable members in the model). */
function checkNumbers(r: { Priority?: number; FixedRate?: number; ReservoirSize?: number }): void {
  // unverified wording for the three messages
  if (r.Priority !== undefined && (!Number.isInteger(r.Priority) || r.Priority < 1 || r.Priority > 9999)) throw invalid("Priority must be between 1 and 9999.");
  if (r.FixedRate !== undefined && !(r.FixedRate >= 0 && r.FixedRate <= 1)) throw invalid("FixedRate must be between 0 and 1.");
  if (r.ReservoirSize !== undefined && (!Number.isInteger(r.ReservoirSize) || r.ReservoirSize < 0)) throw invalid("ReservoirSize must be 0 or more.");
}

/** A new rule, checked; RuleARN is X-Ray's to assign (a given one is ignored). */
export function createRule(ctx: HandlerContext, input: SamplingRule, tags: { Key: string; Value: string }[] | undefined): RuleRec {
  const name = input.RuleName;
  if (name === undefined) throw invalid("RuleName is required."); // unverified wording
  if (input.Version !== 1) throw invalid(`Version ${input.Version} is not supported; the sampling rule format is version 1.`); // unverified wording
  checkNumbers(input);
  checkTags(ctx, tags);
  const view = rulesView(ctx);
  if (view.byName.has(name)) throw invalid(`A sampling rule named ${name} already exists.`); // unverified wording
  const custom = view.list.length - 1; // the Default rule is always in the view
  if (custom >= MAX_RULES) throw new RuleLimitExceededException(`You have reached the maximum of ${MAX_RULES} sampling rules.`); // unverified wording
  const now = ctx.now();
  const { RuleARN: _ignored, ...rule } = input;
  const rec: RuleRec = {
    rule: { RuleName: name, RuleARN: ruleArn(ctx, name), ...rule, Attributes: { ...(input.Attributes ?? {}) } },
    createdAt: now,
    modifiedAt: now,
  };
  transaction(ctx, () => {
    samplingState.of(ctx).samplingRules.put(name, rec);
    registerTaggable(ctx, rec.rule.RuleARN!, tags);
  });
  changed(ctx);
  return rec;
}

const DEFAULT_UPDATABLE = new Set(["RuleName", "RuleARN", "FixedRate", "ReservoirSize"]);
const UPDATABLE: (keyof SamplingRuleUpdate & keyof SamplingRule)[] = [
  "ResourceARN",
  "Priority",
  "FixedRate",
  "ReservoirSize",
  "Host",
  "ServiceName",
  "ServiceType",
  "HTTPMethod",
  "URLPath",
  "Attributes",
  "SamplingRateBoost",
];

export function updateRule(ctx: HandlerContext, update: SamplingRuleUpdate): RuleRec {
  const rec = locate(ctx, update.RuleName, update.RuleARN);
  const name = rec.rule.RuleName!;
  if (name === DEFAULT_RULE) {
    const given = Object.keys(update).filter((k) => update[k as keyof SamplingRuleUpdate] !== undefined);
    if (given.some((k) => !DEFAULT_UPDATABLE.has(k))) throw invalid("Invalid update request for default sampling rule");
  }
  checkNumbers(update);
  for (const k of UPDATABLE) if (update[k] !== undefined) (rec.rule as unknown as Record<string, unknown>)[k] = update[k];
  rec.modifiedAt = ctx.now();
  samplingState.of(ctx).samplingRules.put(name, rec);
  changed(ctx);
  return rec;
}

export function deleteRule(ctx: HandlerContext, name: string | undefined, arn: string | undefined): RuleRec {
  const rec = locate(ctx, name, arn);
  if (rec.rule.RuleName === DEFAULT_RULE) throw invalid("Cannot delete the default sampling rule."); // unverified wording
  transaction(ctx, () => {
    samplingState.of(ctx).samplingRules.delete(rec.rule.RuleName!);
    forgetTaggable(ctx, rec.rule.RuleARN!);
  });
  changed(ctx);
  samplingRunning(ctx).usage.delete(`${regionKey(ctx)}/${rec.rule.RuleName}`);
  return rec;
}

export const ruleHandlers = {
  createSamplingRule({ SamplingRule, Tags }, ctx) {
    return { SamplingRuleRecord: recordOf(createRule(ctx, SamplingRule, Tags)) };
  },
  updateSamplingRule({ SamplingRuleUpdate }, ctx) {
    return { SamplingRuleRecord: recordOf(updateRule(ctx, SamplingRuleUpdate)) };
  },
  deleteSamplingRule({ RuleName, RuleARN }, ctx) {
    return { SamplingRuleRecord: recordOf(deleteRule(ctx, RuleName, RuleARN)) };
  },
  getSamplingRules({ NextToken }, ctx) {
    const page = pageByKey(rulesView(ctx).list, (r) => r.rule.RuleName!, {
      operation: "GetSamplingRules",
      token: NextToken,
      max: PAGE,
      invalid: () => invalid("Invalid NextToken"), // unverified wording
      bind: regionKey(ctx),
    });
    return { SamplingRuleRecords: page.items.map(recordOf), ...(page.next ? { NextToken: page.next } : {}) };
  },
} satisfies Partial<XrayApi>;
