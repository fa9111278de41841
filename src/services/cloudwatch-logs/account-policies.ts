// Account-level policies (PutAccountPolicy, DescribeAccountPolicies, DeleteAccountPolicy). SUBSCRIPTION_FILTER_POLICY
// is real: one per account and region, a JSON document {DestinationArn, RoleArn, FilterPattern, Distribution}
// checked as PutSubscriptionFilter checks its destination, applied to every log group of the account — existing and
// future — except those its selectionCriteria `LogGroupName NOT IN [...]` excludes; PutLogEvents delivers to it beside
// the group's own filters (subscriptions.ts). The document's fields and the selection criteria are AWS's
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutAccountPolicy.html, and the example in
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilterFirehose-Account.html).
// The other policy types (data protection, field indexes, transformers, metric extraction) change what Logs stores or
// derives, which Stratus does not do: they are refused with a clear error rather than stored and ignored.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  type AccountPolicy,
  type CloudwatchLogsApi,
  type Distribution,
  type PolicyType,
} from "./api.generated.js";
import { compileFilterPattern, FilterPatternError } from "./filter-pattern.js";
import { groupArn, invalidToken, logsState, type AccountPolicyRec, type SubscriptionRec } from "./state.js";
import { checkDestination, checkLambdaGrant } from "./subscriptions.js";

const SUBSCRIPTION = "SUBSCRIPTION_FILTER_POLICY";
/** "The selectionCriteria string can be up to 25KB in length." (PutAccountPolicy) */
const MAX_SELECTION_BYTES = 25 * 1024;

const policies = (ctx: HandlerContext) => logsState.of(ctx).accountPolicies;
const policyKey = (type: string, name: string) => `${type}:${name}`;

function refuseType(type: PolicyType): never {
  // Stratus's own wording: these policy types have no effect here, so they are not accepted.
  throw new InvalidParameterException(
    `Stratus does not apply account policies of type ${type}; only ${SUBSCRIPTION} is supported by this local CloudWatch Logs.`,
  );
}

interface SubscriptionPolicy {
  DestinationArn: string;
  RoleArn?: string;
  FilterPattern: string;
  Distribution: Distribution;
}

// Unverified wording for the document checks below (AWS's messages for a malformed subscription policy are not recorded publicly).
function parseSubscriptionPolicy(text: string): SubscriptionPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InvalidParameterException("The policy document is not valid JSON.");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new InvalidParameterException("The policy document must be a JSON object.");
  const d = doc as Record<string, unknown>;
  if (typeof d.DestinationArn !== "string" || !d.DestinationArn) throw new InvalidParameterException("DestinationArn is required in the policy document.");
  if (d.RoleArn !== undefined && typeof d.RoleArn !== "string") throw new InvalidParameterException("RoleArn must be a string.");
  if (d.FilterPattern !== undefined && typeof d.FilterPattern !== "string") throw new InvalidParameterException("FilterPattern must be a string.");
  if (d.Distribution !== undefined && d.Distribution !== "Random" && d.Distribution !== "ByLogStream") {
    throw new InvalidParameterException("Distribution must be one of Random, ByLogStream.");
  }
  const pattern = (d.FilterPattern as string | undefined) ?? "";
  try {
    compileFilterPattern(pattern);
  } catch (e) {
    if (e instanceof FilterPatternError) throw new InvalidParameterException(e.message);
    throw e;
  }
  return {
    DestinationArn: d.DestinationArn,
    ...(d.RoleArn !== undefined ? { RoleArn: d.RoleArn as string } : {}),
    FilterPattern: pattern,
    Distribution: (d.Distribution as Distribution | undefined) ?? "ByLogStream",
  };
}

/**
 * The log groups a subscription policy's selectionCriteria excludes. "If policyType is SUBSCRIPTION_FILTER_POLICY,
 * the only supported selectionCriteria filter is LogGroupName NOT IN []" (PutAccountPolicy).
 */
export function excludedGroups(criteria: string | undefined): string[] {
  if (criteria === undefined || criteria.trim() === "") return [];
  const m = /^\s*LogGroupName\s+NOT\s+IN\s+(\[.*\])\s*$/s.exec(criteria);
  let names: unknown;
  try {
    names = m ? JSON.parse(m[1]) : undefined;
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
    // Unverified wording.
    throw new InvalidParameterException(`Invalid selectionCriteria: ${criteria}. Only LogGroupName NOT IN [...] is supported for ${SUBSCRIPTION}.`);
  }
  return names;
}

const out = (ctx: HandlerContext, p: AccountPolicyRec): AccountPolicy => ({
  policyName: p.name,
  policyDocument: p.document,
  lastUpdatedTime: p.lastUpdated,
  policyType: p.type,
  scope: "ALL",
  ...(p.selectionCriteria !== undefined ? { selectionCriteria: p.selectionCriteria } : {}),
  accountId: ctx.account,
});

export const accountPolicies = {
  putAccountPolicy({ policyName, policyDocument, policyType, scope, selectionCriteria }, ctx) {
    if (policyType !== SUBSCRIPTION) refuseType(policyType);
    // "Currently the only valid value for this parameter is ALL" (PutAccountPolicy scope). Unverified wording.
    if (scope !== undefined && scope !== "ALL") throw new InvalidParameterException(`Invalid scope: ${scope}. The only valid value is ALL.`);
    if (selectionCriteria !== undefined && Buffer.byteLength(selectionCriteria, "utf8") > MAX_SELECTION_BYTES) {
      throw new InvalidParameterException(`selectionCriteria must be at most ${MAX_SELECTION_BYTES} bytes.`); // Unverified wording.
    }
    excludedGroups(selectionCriteria);
    const doc = parseSubscriptionPolicy(policyDocument);
    const table = policies(ctx);
    // "Each account can have one account-level subscription filter policy per Region." Unverified error and wording.
    const others = table.list({ prefix: `${SUBSCRIPTION}:` }).filter((e) => e.value.name !== policyName);
    if (others.length) throw new LimitExceededException("Resource limit exceeded.");
    checkDestination(ctx, doc.DestinationArn, doc.RoleArn)();
    // A function granted to CloudWatch Logs for every log group of the account (SourceArn arn:…:log-group:*).
    checkLambdaGrant(ctx, doc.DestinationArn, `${groupArn(ctx, "*")}`);
    const rec: AccountPolicyRec = {
      name: policyName,
      type: policyType,
      document: policyDocument,
      ...(selectionCriteria !== undefined ? { selectionCriteria } : {}),
      lastUpdated: ctx.now(),
    };
    table.put(policyKey(policyType, policyName), rec);
    return { accountPolicy: out(ctx, rec) };
  },

  describeAccountPolicies({ policyType, policyName, accountIdentifiers, nextToken }, ctx) {
    // Only the caller's own account is held here (no organization-wide view).
    if (accountIdentifiers?.length && !accountIdentifiers.includes(ctx.account)) return { accountPolicies: [] };
    const list = policies(ctx)
      .list({ prefix: `${policyType}:` })
      .map((e) => e.value)
      .filter((p) => policyName === undefined || p.name === policyName);
    const page = pageByKey(list, (p) => p.name, {
      operation: "DescribeAccountPolicies",
      token: nextToken,
      max: 50,
      bind: `${policyType}|${policyName ?? ""}`,
      invalid: invalidToken,
    });
    return { accountPolicies: page.items.map((p) => out(ctx, p)), ...(page.next ? { nextToken: page.next } : {}) };
  },

  deleteAccountPolicy({ policyName, policyType }, ctx) {
    // Unverified wording (the one DeleteResourcePolicy answers for an unknown name).
    if (!policies(ctx).delete(policyKey(policyType, policyName))) throw new ResourceNotFoundException(`Policy with name [${policyName}] does not exist.`);
    return {};
  },
} satisfies Partial<CloudwatchLogsApi>;

/** The account's subscription policy as a filter of log group `group`, unless its selection criteria exclude the group. */
export function accountSubscriptionFor(ctx: HandlerContext, group: string): SubscriptionRec | undefined {
  const p = policies(ctx).readList(`${SUBSCRIPTION}:`)[0]?.value;
  if (!p || excludedGroups(p.selectionCriteria).includes(group)) return undefined;
  const doc = parseSubscriptionPolicy(p.document);
  return {
    group,
    name: p.name,
    pattern: doc.FilterPattern,
    destinationArn: doc.DestinationArn,
    ...(doc.RoleArn !== undefined ? { roleArn: doc.RoleArn } : {}),
    distribution: doc.Distribution,
    applyOnTransformedLogs: false,
    creationTime: p.lastUpdated,
  };
}
