// AWS::CloudFormation::Stack: a nested stack. Its parent's engine creates the child through the same CreateStack as
// a caller's (named `<parent>-<logicalId>-<RANDOM>`, with the parent's capabilities and tags, ParentId and RootId
// set), waits for it, and fails the resource with AWS's reason when the child does not complete; Ref is the child's
// stack id and `Fn::GetAtt Child.Outputs.<Name>` its outputs. A change to its properties updates the child (waited
// for); deleting the resource deletes the child.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { ResourceFailure, type ResourceProvider, type ResourceResult } from "../../core/resources.js";
import type { Engine } from "./engine.js";
import { stacks } from "./stacks.js";
import { cfnState, type StackRec } from "./state.js";

/** The CreateStack / UpdateStack input the resource's properties make, with the parent's capabilities and tags. */
function childInput(parent: StackRec, properties: Record<string, unknown>) {
  const params = (properties.Parameters ?? {}) as Record<string, unknown>;
  const tags = (properties.Tags as StackRec["tags"] | undefined) ?? [];
  return {
    TemplateURL: properties.TemplateURL === undefined ? undefined : String(properties.TemplateURL),
    Parameters: Object.entries(params).map(([ParameterKey, v]) => ({ ParameterKey, ParameterValue: Array.isArray(v) ? v.join(",") : String(v) })),
    Capabilities: parent.capabilities as never,
    NotificationARNs: (properties.NotificationARNs as string[] | undefined) ?? parent.notificationArns,
    TimeoutInMinutes: properties.TimeoutInMinutes === undefined ? undefined : Number(properties.TimeoutInMinutes),
    // The parent's stack-level tags reach its nested stacks; the resource's own Tags are added to them.
    Tags: [...parent.tags.filter((t) => !tags.some((x) => x.Key === t.Key)), ...tags],
  };
}

/** CreateStack's or UpdateStack's refusal of the child (its template unreadable or invalid) is the resource's reason. */
function plainly(e: unknown): never {
  throw isServiceError(e) ? new ResourceFailure(e.message) : e;
}

/** The child's outputs as the parent's Fn::GetAtt reads them: `Outputs.<Name>`. */
function result(child: StackRec): ResourceResult {
  const attributes: Record<string, unknown> = { StackId: child.stackId, StackStatus: child.status };
  for (const o of child.outputs ?? []) attributes[`Outputs.${o.OutputKey}`] = o.OutputValue;
  return { physicalId: child.stackId, attributes };
}

/** Waits for the child's running operation, then reads it. */
async function settled(ctx: HandlerContext, stackId: string): Promise<StackRec | undefined> {
  await ctx.instance<Engine>().idle(stackId);
  return cfnState.of(ctx).stacks.get(stackId);
}

/** The reason the child's operation failed: its stack-level failure event's, without "Rollback requested by user.". */
function failureReason(ctx: HandlerContext, child: StackRec): string {
  const events = cfnState
    .of(ctx)
    .events.list({ prefix: `${child.stackId}\u0000` })
    .map((e) => e.value)
    .filter((e) => e.logicalId === child.stackName && e.type === "AWS::CloudFormation::Stack" && e.reason);
  const failed = events.reverse().find((e) => /_FAILED$|ROLLBACK_IN_PROGRESS$/.test(e.status));
  return (failed?.reason ?? child.statusReason ?? child.status).replace(/\s*Rollback requested by user\.$/, "").trim();
}

/** Deletes the child and waits; false when it ends DELETE_FAILED. */
async function deleteChild(ctx: HandlerContext, stackId: string): Promise<StackRec | undefined> {
  const child = await settled(ctx, stackId);
  if (!child || child.status === "DELETE_COMPLETE") return child;
  stacks.deleteStack({ StackName: stackId }, ctx);
  return settled(ctx, stackId);
}

export const nestedStackProvider: ResourceProvider = {
  async create(req) {
    const parent = cfnState.of(req.ctx).stacks.get(req.stackId)!;
    const { StackId } = await stacks
      .createStack({ StackName: req.generateName(128), ...childInput(parent, req.properties) }, req.ctx, {
        parentId: parent.stackId,
        rootId: parent.rootId ?? parent.stackId,
      })
      .catch(plainly);
    // The resource knows its child before the child completes, so a server stopped meanwhile finds it: the parent's
    // rollback at the next start deletes it (DescribeStackResources shows it, as AWS's does, while it is created).
    const t = cfnState.of(req.ctx);
    const key = `${req.stackId}\u0000${req.logicalId}`;
    const rec = t.resources.get(key);
    if (rec) t.resources.put(key, { ...rec, physicalId: StackId });
    const child = (await settled(req.ctx, StackId!))!;
    if (child.status === "CREATE_COMPLETE") return result(child);
    // AWS's wording (its stack events): "Embedded stack <arn> was not successfully created: <reason>". The failed
    // child is deleted with the resource's failure, as the parent's rollback would.
    const reason = `Embedded stack ${child.stackId} was not successfully created: ${failureReason(req.ctx, child)}`;
    await deleteChild(req.ctx, child.stackId);
    throw new ResourceFailure(reason);
  },

  async update(req) {
    const parent = cfnState.of(req.ctx).stacks.get(req.stackId)!;
    await settled(req.ctx, req.physicalId);
    try {
      await stacks.updateStack({ StackName: req.physicalId, ...childInput(parent, req.properties) }, req.ctx);
    } catch (e) {
      // The template and parameters the child already has: nothing to do.
      if (!(isServiceError(e) && e.message === "No updates are to be performed.")) plainly(e);
    }
    const child = (await settled(req.ctx, req.physicalId))!;
    if (child.status === "UPDATE_COMPLETE" || child.status === "CREATE_COMPLETE") return result(child);
    // AWS's wording as its stack events give it (unverified against a recorded response).
    throw new ResourceFailure(
      `Embedded stack ${child.stackId} was not successfully updated. Currently in ${child.status} with reason: ${failureReason(req.ctx, child)}`,
    );
  },

  async delete(req) {
    const child = await deleteChild(req.ctx, req.physicalId);
    if (child && child.status !== "DELETE_COMPLETE") {
      throw new ResourceFailure(`Embedded stack ${child.stackId} was not successfully deleted: ${failureReason(req.ctx, child)}`); // unverified wording
    }
  },
};
