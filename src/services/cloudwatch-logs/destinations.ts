// Logical destinations (PutDestination, PutDestinationPolicy, DescribeDestinations, DeleteDestination): a named
// endpoint, arn:aws:logs:<region>:<account>:destination:<name>, that other accounts' subscription filters deliver to
// when its access policy lets them (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions.html).
// On AWS a destination's target is a Kinesis data stream or a Firehose delivery stream, and PutDestination sends a
// test message to it before it accepts the destination. Stratus runs neither Kinesis nor Firehose, so no target can
// receive that message: PutDestination answers AWS's refusal for an unreachable target (recorded in CloudTrail,
// awslabs/landing-zone-accelerator-on-aws#792) and stores nothing — never a destination that silently drops logs.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { evaluatePolicy, statementsOf, type Caller } from "../../core/policy/index.js";
import { regionalArn } from "../../core/arn.js";
import { STORE } from "../../core/state.js";
import { AccessDeniedException, InvalidParameterException, ResourceNotFoundException, type CloudwatchLogsApi, type Destination } from "./api.generated.js";
import { invalidToken, logsState, type DestinationRec } from "./state.js";

export const destinationArn = (ctx: { account: string; region: string }, name: string) => regionalArn(ctx, "logs", `destination:${name}`);

/** AWS's answer when the test message cannot reach a destination (PutDestination, PutSubscriptionFilter). */
export const cannotDeliver = () => new InvalidParameterException("Could not deliver test message to specified destination. Check if the destination is valid.");

// Unverified wording: AWS's message for an unknown destination is not recorded publicly; worded as the group/stream/filter ones.
const noDestination = () => new ResourceNotFoundException("The specified destination does not exist.");

/**
 * Whether Stratus can deliver to a destination's target. Kinesis data streams and Firehose delivery streams are the
 * only targets AWS accepts, and Stratus runs neither: nothing can be delivered (see the header).
 */
function checkTarget(targetArn: string): void {
  const m = /^arn:aws[\w-]*:([a-z0-9-]+):[a-z0-9-]*:\d{12}:.+$/.exec(targetArn);
  // Unverified wording for a target ARN that is not an ARN.
  if (!m) throw new InvalidParameterException(`Invalid targetArn: ${targetArn}`);
  throw cannotDeliver();
}

const out = (ctx: { account: string; region: string }, d: DestinationRec): Destination => ({
  destinationName: d.name,
  targetArn: d.targetArn,
  roleArn: d.roleArn,
  ...(d.accessPolicy !== undefined ? { accessPolicy: d.accessPolicy } : {}),
  arn: destinationArn(ctx, d.name),
  creationTime: d.creationTime,
});

export const destinations = {
  putDestination({ destinationName, targetArn, roleArn, tags }, ctx) {
    const table = logsState.of(ctx).destinations;
    const before = table.get(destinationName);
    checkTarget(targetArn);
    const rec: DestinationRec = {
      name: destinationName,
      targetArn,
      roleArn,
      ...(before?.accessPolicy !== undefined ? { accessPolicy: before.accessPolicy } : {}),
      creationTime: before?.creationTime ?? ctx.now(),
      tags: before ? before.tags : (tags ?? {}),
    };
    table.put(destinationName, rec);
    return { destination: out(ctx, rec) };
  },

  putDestinationPolicy({ destinationName, accessPolicy }, ctx) {
    const table = logsState.of(ctx).destinations;
    const d = table.get(destinationName);
    if (!d) throw noDestination();
    // AWS's wording for a policy it cannot store (see resource-policies.ts).
    if (!statementsOf(accessPolicy)) throw new InvalidParameterException("Could not convert to persistable policy.");
    table.put(destinationName, { ...d, accessPolicy });
    return {};
  },

  describeDestinations({ DestinationNamePrefix, nextToken, limit }, ctx) {
    const list = logsState
      .of(ctx)
      .destinations.list({ prefix: DestinationNamePrefix ?? "" })
      .map((e) => e.value);
    const page = pageByKey(list, (d) => d.name, {
      operation: "DescribeDestinations",
      token: nextToken,
      max: limit ?? 50,
      bind: DestinationNamePrefix ?? "",
      invalid: invalidToken,
    });
    return { destinations: page.items.map((d) => out(ctx, d)), ...(page.next ? { nextToken: page.next } : {}) };
  },

  deleteDestination({ destinationName }, ctx) {
    if (!logsState.of(ctx).destinations.delete(destinationName)) throw noDestination();
    return {};
  },
} satisfies Partial<CloudwatchLogsApi>;

/**
 * Checks a subscription (a filter or an account policy of the caller's account) to a logical destination: the
 * destination must exist in the caller's region, its access policy must let the caller's account subscribe
 * (logs:PutSubscriptionFilter on the destination, evaluated with core/policy as AWS evaluates resource policies), and
 * its target must take the test message — which no target can in Stratus (see the header).
 */
export function checkLogsDestination(ctx: HandlerContext, arn: string): void {
  const m = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):destination:([^:*]+)$/.exec(arn);
  if (!m) throw cannotDeliver();
  const [, region, account, name] = m;
  // "The sending account's log groups and the destination must be in the same AWS Region." (CrossAccountSubscriptions)
  const d = region === ctx.region ? logsState.at({ [STORE]: ctx[STORE] }, account, region).destinations.get(name) : undefined;
  if (!d) throw cannotDeliver();
  if (account !== ctx.account) {
    const caller: Caller = { type: "iam", principal: ctx.principal };
    const allowed = d.accessPolicy !== undefined && evaluatePolicy(d.accessPolicy, { caller, action: "logs:PutSubscriptionFilter", resource: arn }) === "Allow";
    // Unverified wording: AWS's message when a destination policy does not admit the sender.
    if (!allowed)
      throw new AccessDeniedException(`User with accountId: ${ctx.account} is not authorized to perform: logs:PutSubscriptionFilter on resource: ${arn}`);
  }
  checkTarget(d.targetArn);
}
