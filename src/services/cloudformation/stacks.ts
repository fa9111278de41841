// Stack operations: create and delete start the engine and answer at once (the SDK waiters and `aws cloudformation
// wait` poll DescribeStacks); the rest read the records.
import { isDeepStrictEqual } from "node:util";
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import type { CloudformationApi, CreateStackInput, Parameter, Stack, StackEvent, StackResource, StackStatus } from "./api.generated.js";
import { AlreadyExistsException, InsufficientCapabilitiesException } from "./api.generated.js";
import type { Engine } from "./engine.js";
import { prepareParameters } from "./preflight.js";
import { cfnState, stableState, type ResourceRec, type StackRec } from "./state.js";
import { findStackSet } from "./stackset-state.js";
import { stackPolicyOf } from "./policy.js";
import { runTemplate, templateOf } from "./source.js";
import { parseTemplate, type Template } from "./template/index.js";
import { declaredTransforms } from "./transforms/index.js";
import { eventsPage } from "./events.js";
import { deadlineOf } from "./timeout.js";
import { remember, retried } from "./tokens.js";

/** The states an update may start from (AWS's). */
export const UPDATABLE = new Set<string>(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]);
const validation = (message: string) => new ServiceError("ValidationError", message, 400);
const engine = (ctx: HandlerContext) => ctx.instance<Engine>();
const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** A stack by name (the live one) or by stack id (deleted ones too); AWS's error when there is none. */
export function findStack(ctx: HandlerContext, nameOrId: string): StackRec {
  const t = cfnState.of(ctx);
  const id = nameOrId.startsWith("arn:") ? nameOrId : t.names.get(nameOrId);
  const s = id ? t.stacks.get(id) : undefined;
  if (!s) throw validation(`Stack with id ${nameOrId} does not exist`);
  return s;
}

/** The property that names each IAM type: a template that sets one needs CAPABILITY_NAMED_IAM. */
const IAM_NAMES: Record<string, string> = {
  "AWS::IAM::Role": "RoleName",
  "AWS::IAM::User": "UserName",
  "AWS::IAM::Group": "GroupName",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::InstanceProfile": "InstanceProfileName",
};

/**
 * Capabilities, as AWS requires them: a template with IAM resources needs CAPABILITY_IAM (or CAPABILITY_NAMED_IAM),
 * one that names an IAM resource needs CAPABILITY_NAMED_IAM; without it the call is refused, naming what it needs.
 */
export function checkCapabilities(template: Template, given: readonly string[] = []): void {
  let need: "CAPABILITY_IAM" | "CAPABILITY_NAMED_IAM" | undefined;
  for (const r of Object.values(template.Resources)) {
    if (typeof r.Type !== "string" || !r.Type.startsWith("AWS::IAM::")) continue;
    const nameProp = IAM_NAMES[r.Type];
    if (nameProp && (r.Properties as Record<string, unknown> | undefined)?.[nameProp] !== undefined) need = "CAPABILITY_NAMED_IAM";
    else need ??= "CAPABILITY_IAM";
  }
  if (!need || given.includes("CAPABILITY_NAMED_IAM") || (need === "CAPABILITY_IAM" && given.includes("CAPABILITY_IAM"))) return;
  throw new InsufficientCapabilitiesException(`Requires capabilities : [${need}]`);
}

/** Parameters as DescribeStacks and DescribeChangeSet show them: NoEcho ones masked, SSM-typed ones resolved. */
export const parametersOut = (s: Pick<StackRec, "parameters">): Parameter[] =>
  Object.entries(s.parameters).map(([ParameterKey, p]) => ({
    ParameterKey,
    ParameterValue: p.noEcho ? "****" : p.value,
    ResolvedValue: p.noEcho ? undefined : p.resolvedValue,
  }));

function stackOut(s: StackRec): Stack {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    Description: s.description,
    Parameters: parametersOut(s),
    CreationTime: new Date(s.creationTime),
    DeletionTime: date(s.deletionTime),
    LastUpdatedTime: date(s.lastUpdatedTime),
    StackStatus: s.status as StackStatus,
    StackStatusReason: s.statusReason,
    DisableRollback: s.disableRollback,
    NotificationARNs: s.notificationArns,
    TimeoutInMinutes: s.timeoutInMinutes,
    Capabilities: s.capabilities as Stack["Capabilities"],
    Outputs: s.outputs,
    RoleARN: s.roleArn,
    Tags: s.tags,
    EnableTerminationProtection: s.terminationProtection,
    DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
    ParentId: s.parentId,
    RootId: s.rootId,
  };
}

export const stacks = {
  /** `nested`: the parent and root stack ids of a nested stack its parent's AWS::CloudFormation::Stack creates. */
  async createStack(input: CreateStackInput, ctx: HandlerContext, nested?: { parentId: string; rootId: string }) {
    const t = cfnState.of(ctx);
    const again = retried<{ StackId: string }>(ctx, "CreateStack", input.StackName, input);
    if (again) return again;
    if (t.names.has(input.StackName)) throw new AlreadyExistsException(`Stack [${input.StackName}] already exists`);
    const { body, template, processedBody } = await templateOf(input, ctx, { requireCapabilities: input.Capabilities ?? [] });
    checkCapabilities(template, input.Capabilities);
    const stackPolicy = stackPolicyOf(input.StackPolicyBody, input.StackPolicyURL, template);
    const parameters = await prepareParameters(template, input.Parameters, undefined, ctx, input.StackName);
    if (t.names.has(input.StackName)) throw new AlreadyExistsException(`Stack [${input.StackName}] already exists`);
    const stackId = regionalArn(ctx, "cloudformation", `stack/${input.StackName}/${uuid4()}`);
    const s: StackRec = {
      stackId,
      stackName: input.StackName,
      status: "CREATE_IN_PROGRESS",
      creationTime: ctx.now(),
      description: template.Description,
      templateBody: body,
      processedBody,
      parameters,
      capabilities: input.Capabilities ?? [],
      tags: (input.Tags ?? []) as StackRec["tags"],
      disableRollback: input.DisableRollback ?? false,
      onFailure: input.OnFailure ?? (input.DisableRollback ? "DO_NOTHING" : "ROLLBACK"),
      terminationProtection: input.EnableTerminationProtection ?? false,
      notificationArns: input.NotificationARNs ?? [],
      timeoutInMinutes: input.TimeoutInMinutes,
      timeoutAt: deadlineOf(ctx.now(), input.TimeoutInMinutes),
      clientRequestToken: input.ClientRequestToken,
      roleArn: input.RoleARN,
      principalArn: ctx.principal.arn,
      principalId: ctx.principal.principalId,
      stackPolicy,
      retainExceptOnCreate: input.RetainExceptOnCreate,
      parentId: nested?.parentId,
      rootId: nested?.rootId,
    };
    if (input.DisableRollback && input.OnFailure) throw validation("You cannot specify both DisableRollback and OnFailure.");
    t.stacks.put(stackId, s);
    t.names.put(s.stackName, stackId);
    const e = engine(ctx);
    e.setStatus(t, s, "CREATE_IN_PROGRESS", "User Initiated");
    ctx.startAtBoot();
    e.create(ctx.account, ctx.region, stackId);
    const out = remember(ctx, "CreateStack", input.StackName, input, { StackId: stackId });
    // A nested stack's parent waits for it on its own.
    if (!nested) await e.settled(stackId);
    return out;
  },

  async updateStack(input, ctx) {
    const t = cfnState.of(ctx);
    const s = findStack(ctx, input.StackName);
    if (s.status === "DELETE_COMPLETE") throw validation(`Stack with id ${input.StackName} does not exist`);
    const again = retried<{ StackId: string }>(ctx, "UpdateStack", input.StackName, input);
    if (again) return again;
    // UPDATE_FAILED (an update with DisableRollback): the next update carries on from where that one stopped.
    const resuming = s.status === "UPDATE_FAILED";
    if (!UPDATABLE.has(s.status) && !resuming) throw validation(`Stack:${s.stackId} is in ${s.status} state and can not be updated.`);
    if (input.UsePreviousTemplate && (input.TemplateBody !== undefined || input.TemplateURL !== undefined)) {
      throw validation("You cannot specify both usePreviousTemplate and Template Body/Template URL"); // unverified
    }
    const { body, template, processedBody } = await templateOf(input, ctx, {
      requireCapabilities: input.Capabilities ?? [],
      previousBody: input.UsePreviousTemplate ? s.templateBody : undefined,
    });
    checkCapabilities(template, input.Capabilities);
    // The policy this update is decided by: its own override, else the stack's; a new StackPolicyBody is the
    // stack's from now on (for later updates).
    const during = stackPolicyOf(input.StackPolicyDuringUpdateBody, input.StackPolicyDuringUpdateURL, template, "StackPolicyDuringUpdate");
    const stackPolicy = stackPolicyOf(input.StackPolicyBody, input.StackPolicyURL, template);
    const parameters = await prepareParameters(template, input.Parameters, s.parameters, ctx, input.StackName);
    const tags = (input.Tags ?? s.tags) as StackRec["tags"];
    const same =
      !resuming &&
      body === s.templateBody &&
      isDeepStrictEqual(
        Object.fromEntries(Object.entries(parameters).map(([k, p]) => [k, p.resolvedValue ?? p.value])),
        Object.fromEntries(Object.entries(s.parameters).map(([k, p]) => [k, p.resolvedValue ?? p.value])),
      ) &&
      isDeepStrictEqual(tags, s.tags);
    if (same) throw validation("No updates are to be performed.");
    // The last stable state, which a rollback restores: an update resuming a failed one keeps that one's.
    if (!resuming || !s.previous) {
      s.previous = stableState(s);
    }
    Object.assign(s, {
      templateBody: body,
      processedBody,
      parameters,
      description: template.Description,
      tags,
      capabilities: input.Capabilities ?? s.capabilities,
      notificationArns: input.NotificationARNs ?? s.notificationArns,
      roleArn: input.RoleARN ?? s.roleArn,
      statusReason: undefined,
      updatePolicy: during ?? s.stackPolicy,
      stackPolicy: stackPolicy ?? s.stackPolicy,
      disableRollback: input.DisableRollback ?? false,
      retainExceptOnCreate: input.RetainExceptOnCreate,
      clientRequestToken: input.ClientRequestToken,
      importing: undefined,
    });
    t.stacks.put(s.stackId, s);
    const e = engine(ctx);
    e.setStatus(t, s, "UPDATE_IN_PROGRESS", "User Initiated");
    ctx.startAtBoot();
    e.update(ctx.account, ctx.region, s.stackId);
    const out = remember(ctx, "UpdateStack", input.StackName, input, { StackId: s.stackId });
    await e.settled(s.stackId);
    return out;
  },

  async deleteStack(input, ctx) {
    const t = cfnState.of(ctx);
    const id = input.StackName.startsWith("arn:") ? input.StackName : t.names.get(input.StackName);
    const s = id ? t.stacks.get(id) : undefined;
    const again = retried<Record<string, never>>(ctx, "DeleteStack", input.StackName, input);
    if (again) return again;
    // Deleting a stack that does not exist (or is deleted) succeeds, as on AWS.
    if (!s || s.status === "DELETE_COMPLETE" || s.status === "DELETE_IN_PROGRESS") return {};
    if (s.terminationProtection) throw validation(`Stack [${s.stackName}] cannot be deleted while TerminationProtection is enabled`);
    if (s.status.endsWith("_IN_PROGRESS") && s.status !== "REVIEW_IN_PROGRESS")
      throw validation(`Stack [${s.stackName}] cannot be deleted while in status ${s.status}`);
    if (input.RetainResources?.length && s.status !== "DELETE_FAILED") {
      throw validation("Invalid operation on stack: RetainResources can only be specified when the stack is in the DELETE_FAILED state");
    }
    s.retain = input.RetainResources;
    s.clientRequestToken = input.ClientRequestToken;
    const e = engine(ctx);
    e.setStatus(t, s, "DELETE_IN_PROGRESS", "User Initiated");
    ctx.startAtBoot();
    e.delete(ctx.account, ctx.region, s.stackId);
    const out = remember(ctx, "DeleteStack", input.StackName, input, {});
    await e.settled(s.stackId);
    return out;
  },

  describeStacks(input, ctx) {
    if (input.StackName) return { Stacks: [stackOut(findStack(ctx, input.StackName))] };
    // Paged over the name index, so a page reads only its own stacks' records.
    const t = cfnState.of(ctx);
    const page = pageByKey(t.names.list(), (e) => e.key, {
      operation: "DescribeStacks",
      token: input.NextToken,
      max: 100,
      invalid: () => validation("Invalid NextToken"),
    });
    const stacks = page.items.flatMap((e) => t.stacks.get(e.value) ?? []);
    return { Stacks: stacks.map(stackOut), NextToken: page.next };
  },

  listStacks(input, ctx) {
    const all = cfnState
      .of(ctx)
      .stacks.list()
      .map((e) => e.value)
      .filter((s) => !input.StackStatusFilter?.length || input.StackStatusFilter.includes(s.status as StackStatus));
    // Paged as AWS pages it (100 summaries; unverified against the API reference), the token bound to the filter.
    const page = pageByKey(all, (s) => s.stackId, {
      operation: "ListStacks",
      token: input.NextToken,
      max: 100,
      bind: fingerprint([...(input.StackStatusFilter ?? [])].sort()),
      invalid: () => validation("Invalid NextToken"),
    });
    return {
      NextToken: page.next,
      StackSummaries: page.items.map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.description,
        CreationTime: new Date(s.creationTime),
        LastUpdatedTime: date(s.lastUpdatedTime),
        DeletionTime: date(s.deletionTime),
        StackStatus: s.status as StackStatus,
        StackStatusReason: s.statusReason,
        ParentId: s.parentId,
        RootId: s.rootId,
        DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
      })),
    };
  },

  describeStackEvents(input, ctx) {
    const s = findStack(ctx, input.StackName);
    const page = eventsPage(cfnState.of(ctx), s.stackId, input.NextToken);
    const events: StackEvent[] = page.items.map((e) => ({
      StackId: s.stackId,
      EventId: e.eventId,
      StackName: s.stackName,
      LogicalResourceId: e.logicalId,
      PhysicalResourceId: e.physicalId ?? "",
      ResourceType: e.type,
      Timestamp: new Date(e.timestamp),
      ResourceStatus: e.status as StackEvent["ResourceStatus"],
      ResourceStatusReason: e.reason,
      ResourceProperties: e.properties,
      ClientRequestToken: e.clientRequestToken,
    }));
    return { StackEvents: events, NextToken: page.next };
  },

  describeStackResources(input, ctx) {
    if (!input.StackName) throw validation("Either StackName or PhysicalResourceId must be specified.");
    const s = findStack(ctx, input.StackName);
    const resources: StackResource[] = resourcesOf(ctx, s)
      .filter((r) => !input.LogicalResourceId || r.logicalId === input.LogicalResourceId)
      .map((r) => ({ StackName: s.stackName, StackId: s.stackId, ...resourceView(r), Timestamp: new Date(r.timestamp) }));
    return { StackResources: resources };
  },

  describeStackResource(input, ctx) {
    const s = findStack(ctx, input.StackName);
    const r = resourcesOf(ctx, s).find((x) => x.logicalId === input.LogicalResourceId);
    if (!r) throw validation(`Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
    return {
      StackResourceDetail: { StackName: s.stackName, StackId: s.stackId, ...resourceView(r), LastUpdatedTimestamp: new Date(r.timestamp), Metadata: "{}" },
    };
  },

  listStackResources(input, ctx) {
    const s = findStack(ctx, input.StackName);
    // 100 a page (unverified against the API reference), in logical id order.
    const page = pageByKey(resourcesOf(ctx, s), (r) => r.logicalId, {
      operation: "ListStackResources",
      token: input.NextToken,
      max: 100,
      bind: s.stackId,
      invalid: () => validation("Invalid NextToken"),
    });
    return {
      StackResourceSummaries: page.items.map((r) => ({ ...resourceView(r), LastUpdatedTimestamp: new Date(r.timestamp) })),
      NextToken: page.next,
    };
  },

  getTemplate(input, ctx) {
    if (!input.StackName) throw validation("StackName must be specified.");
    const s = findStack(ctx, input.StackName);
    const body = input.TemplateStage === "Processed" ? (s.processedBody ?? s.templateBody) : s.templateBody;
    return { TemplateBody: body, StagesAvailable: ["Original", "Processed"] };
  },

  async getTemplateSummary(input, ctx) {
    const sources = [input.TemplateBody, input.TemplateURL, input.StackName, input.StackSetName].filter((x) => x !== undefined).length;
    if (sources !== 1) throw validation("Exactly one of TemplateBody, TemplateUrl, StackName or StackSetName must be specified.");
    const stackSet = input.StackSetName !== undefined ? findStackSet(ctx, input.StackSetName) : undefined;
    const stack = input.StackName !== undefined ? findStack(ctx, input.StackName) : undefined;
    const stored = stack ?? stackSet;
    const source = stored ? undefined : await templateOf(input, ctx);
    const template = stored ? runTemplate(stored) : source!.template;
    const transforms = stored ? declaredTransforms(parseTemplate(stored.templateBody || "{}")) : source!.transforms;
    return {
      Parameters: Object.entries(template.Parameters ?? {}).map(([ParameterKey, p]) => ({
        ParameterKey,
        DefaultValue: p.Default === undefined ? undefined : Array.isArray(p.Default) ? p.Default.join(",") : String(p.Default),
        ParameterType: p.Type,
        NoEcho: p.NoEcho === true || p.NoEcho === "true",
        Description: p.Description,
        ParameterConstraints: p.AllowedValues ? { AllowedValues: p.AllowedValues.map(String) } : {},
      })),
      Description: template.Description,
      Capabilities: [],
      ResourceTypes: [...new Set(Object.values(template.Resources).map((r) => r.Type))],
      Version: template.AWSTemplateFormatVersion === undefined ? undefined : String(template.AWSTemplateFormatVersion),
      Metadata: template.Metadata === undefined ? undefined : JSON.stringify(template.Metadata),
      DeclaredTransforms: transforms,
      ResourceIdentifierSummaries: [],
    };
  },

  listExports(input, ctx) {
    const exports = cfnState
      .of(ctx)
      .stacks.list()
      .map((e) => e.value)
      .filter((s) => s.status !== "DELETE_COMPLETE" && s.status !== "ROLLBACK_COMPLETE" && s.status !== "REVIEW_IN_PROGRESS")
      .flatMap((s) => (s.outputs ?? []).filter((o) => o.ExportName).map((o) => ({ ExportingStackId: s.stackId, Name: o.ExportName, Value: o.OutputValue })))
      .sort((a, b) => a.Name!.localeCompare(b.Name!));
    const page = pageByKey(exports, (e) => e.Name!, {
      operation: "ListExports",
      token: input.NextToken,
      max: 100,
      invalid: () => validation("Invalid NextToken"),
    });
    return { Exports: page.items, NextToken: page.next };
  },

  listImports(input, ctx) {
    const t = cfnState.of(ctx);
    const stacks = t.stacks.list().map((e) => e.value);
    const exported = stacks.some((s) => s.status !== "DELETE_COMPLETE" && s.outputs?.some((o) => o.ExportName === input.ExportName));
    if (!exported) throw validation(`Export '${input.ExportName}' is not imported by any stack.`); // unverified wording
    const imports = stacks.filter((s) => s.status !== "DELETE_COMPLETE" && s.imports?.includes(input.ExportName)).map((s) => s.stackName);
    if (!imports.length) throw validation(`Export '${input.ExportName}' is not imported by any stack.`); // unverified wording
    return { Imports: imports.sort() };
  },

  updateTerminationProtection(input, ctx) {
    const t = cfnState.of(ctx);
    const s = findStack(ctx, input.StackName);
    if (s.status === "DELETE_COMPLETE") throw validation(`Stack with id ${input.StackName} does not exist`);
    engine(ctx).patch(t, s, { terminationProtection: input.EnableTerminationProtection });
    return { StackId: s.stackId };
  },

  async validateTemplate(input, ctx) {
    const { template, transforms } = await templateOf(input, ctx);
    return {
      Description: template.Description,
      DeclaredTransforms: transforms,
      Parameters: Object.entries(template.Parameters ?? {}).map(([ParameterKey, p]) => ({
        ParameterKey,
        DefaultValue: p.Default === undefined ? undefined : String(p.Default),
        NoEcho: p.NoEcho === true || p.NoEcho === "true",
        Description: p.Description,
      })),
      Capabilities: [],
    };
  },
} satisfies Partial<CloudformationApi>;

/** A resource record's fields as DescribeStackResource(s) and ListStackResources all show them. */
function resourceView(r: ResourceRec) {
  return {
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    ResourceStatus: r.status,
    ResourceStatusReason: r.statusReason,
    DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" as const },
  };
}

function resourcesOf(ctx: HandlerContext, s: StackRec) {
  return cfnState
    .of(ctx)
    .resources.list({ prefix: `${s.stackId}\u0000` })
    .map((e) => e.value);
}
