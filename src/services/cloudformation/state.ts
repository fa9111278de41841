// CloudFormation's records, per account and region: stacks (by stack id, deleted ones kept for DescribeStacks by
// id and ListStacks), the live name → id index, each stack's resources and its events.
import { defineState, regional } from "../../core/state.js";
import type { Output, ResourceChange, StackDriftStatus } from "./api.generated.js";
import type { RevertAction } from "./revert-drift.js";
import type { ResolvedParameter } from "./template/index.js";

export type StackStatus =
  | "REVIEW_IN_PROGRESS"
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_COMPLETE"
  | "ROLLBACK_FAILED"
  | "DELETE_IN_PROGRESS"
  | "DELETE_COMPLETE"
  | "DELETE_FAILED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "UPDATE_ROLLBACK_IN_PROGRESS"
  | "UPDATE_ROLLBACK_FAILED"
  | "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_ROLLBACK_COMPLETE"
  | "IMPORT_IN_PROGRESS"
  | "IMPORT_COMPLETE"
  | "IMPORT_ROLLBACK_IN_PROGRESS"
  | "IMPORT_ROLLBACK_FAILED"
  | "IMPORT_ROLLBACK_COMPLETE";

export type ResourceStatus =
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "DELETE_IN_PROGRESS"
  | "DELETE_COMPLETE"
  | "DELETE_FAILED"
  | "DELETE_SKIPPED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "IMPORT_IN_PROGRESS"
  | "IMPORT_COMPLETE"
  | "IMPORT_FAILED";

/** A resource an operation imports (import.ts) rather than creates: its logical id, type and physical id. */
export interface ImportRec {
  logicalId: string;
  type: string;
  physicalId: string;
}

export interface StackRec {
  stackId: string;
  stackName: string;
  status: StackStatus;
  statusReason?: string;
  creationTime: number;
  lastUpdatedTime?: number;
  deletionTime?: number;
  description?: string;
  templateBody: string;
  /** The template after its transforms (source.ts), as JSON; absent when it declares none. */
  processedBody?: string;
  /** Resolved parameters (template/parameters.ts): the value shown, SSM's resolved value, what Ref returns. */
  parameters: Record<string, ResolvedParameter>;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  outputs?: Output[];
  disableRollback: boolean;
  onFailure: "ROLLBACK" | "DELETE" | "DO_NOTHING";
  terminationProtection: boolean;
  notificationArns: string[];
  timeoutInMinutes?: number;
  /** When the running create times out (TimeoutInMinutes after it started, epoch ms): stored, so a restart keeps it. */
  timeoutAt?: number;
  /** The running (or last) operation's ClientRequestToken, which every event it causes carries. */
  clientRequestToken?: string;
  roleArn?: string;
  /** A nested stack's parent stack and the root of its tree (AWS::CloudFormation::Stack, nested.ts). */
  parentId?: string;
  rootId?: string;
  /** Who started the operation: the engine calls the services as this principal. */
  principalArn: string;
  /** Its principal id (an IAM user's AIDA… id, the account for root), shown in stack notifications. */
  principalId?: string;
  /** Export names this stack's template imports (Fn::ImportValue), recorded as its last operation evaluated them. */
  imports?: string[];
  /** The stack policy (SetStackPolicy, CreateStack's or UpdateStack's StackPolicyBody). */
  stackPolicy?: string;
  /** The policy the running update is decided by: its StackPolicyDuringUpdateBody, else the stack policy it started with. */
  updatePolicy?: string;
  /** The running operation's RetainExceptOnCreate: what it created is deleted on rollback, Retain or not. */
  retainExceptOnCreate?: boolean;
  /** Resources the current DeleteStack keeps (RetainResources). */
  retain?: string[];
  /** The resources the running operation imports instead of creating (an IMPORT change set, ImportExistingResources). */
  importing?: ImportRec[];
  /** What the running update's drift-aware change set does to drifted resources (revert-drift.ts). */
  reverting?: Record<string, RevertAction>;
  /** During an update: the template and parameters to restore if it rolls back. */
  previous?: {
    templateBody: string;
    processedBody?: string;
    parameters: Record<string, ResolvedParameter>;
    outputs?: Output[];
    description?: string;
    imports?: string[];
    tags?: { Key: string; Value: string }[];
  };
}

/** The stack's state as it stands, kept as the last stable state an update's rollback restores. */
export const stableState = (s: StackRec): NonNullable<StackRec["previous"]> => ({
  templateBody: s.templateBody,
  processedBody: s.processedBody,
  parameters: s.parameters,
  outputs: s.outputs,
  description: s.description,
  tags: s.tags,
});

/** Puts a rolled-back update's last stable state back on the stack record (the caller writes it). */
export function restoreStable(s: StackRec): void {
  if (!s.previous) return;
  const p = s.previous;
  Object.assign(s, {
    templateBody: p.templateBody,
    processedBody: p.processedBody,
    parameters: p.parameters,
    outputs: p.outputs,
    description: p.description,
    imports: p.imports,
    tags: p.tags ?? s.tags,
  });
}

export interface ResourceRec {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: ResourceStatus;
  statusReason?: string;
  timestamp: number;
  /** The properties as created (resolved), for updates and deletes. */
  properties: Record<string, unknown>;
  ref?: string;
  attributes?: Record<string, unknown>;
  /** Fn::GetAtt of its attributes is masked in outputs (a custom resource's NoEcho). */
  noEcho?: boolean;
  /** Fn::GetAtt of an attribute it lacks fails with this (`{attr}` its name): a custom resource's wording. */
  attributeError?: string;
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  /** Imported, not created by the stack: the rollback of the operation that imported it never deletes it. */
  imported?: boolean;
  /**
   * What the current update did to it, until the update completes or rolls back: created it, updated it in
   * place or replaced it (`previous` holds what to restore or clean up), or it is to be removed.
   */
  pending?: "created" | "updated" | "replaced" | "removed";
  previous?: { physicalId?: string; properties: Record<string, unknown>; ref?: string; attributes?: Record<string, unknown>; stackTags?: StackTag[] };
  /** The stack's tags as last applied to it (tags.ts), beside the template's properties; absent for a type without tags. */
  stackTags?: StackTag[];
}

type StackTag = { Key: string; Value: string };

export interface EventRec {
  eventId: string;
  logicalId: string;
  physicalId?: string;
  type: string;
  timestamp: number;
  status: string;
  reason?: string;
  properties?: string;
  clientRequestToken?: string;
}

export interface ChangeSetRec {
  changeSetId: string;
  name: string;
  stackId: string;
  stackName: string;
  type: "CREATE" | "UPDATE" | "IMPORT";
  status: "CREATE_COMPLETE" | "FAILED";
  executionStatus: "AVAILABLE" | "UNAVAILABLE";
  statusReason?: string;
  creationTime: number;
  description?: string;
  templateBody: string;
  processedBody?: string;
  parameters: Record<string, ResolvedParameter>;
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  notificationArns: string[];
  roleArn?: string;
  changes: ResourceChange[];
  /** The resources its execution imports (an IMPORT change set's ResourcesToImport, or ImportExistingResources' finds). */
  imports?: ImportRec[];
  importExistingResources?: boolean;
  /** IncludeNestedStacks (nested-changesets.ts): a nested change set's parent and root change set ids. */
  includeNestedStacks?: boolean;
  parentChangeSetId?: string;
  rootChangeSetId?: string;
  /** A drift-aware change set (DeploymentMode REVERT_DRIFT): what it does to drifted resources, the stack's drift. */
  deploymentMode?: "REVERT_DRIFT";
  reverts?: Record<string, RevertAction>;
  stackDriftStatus?: StackDriftStatus;
}

/** A stack operation's ClientRequestToken: the operation, a fingerprint of its input, what it answered. */
export interface RequestTokenRec {
  operation: string;
  fingerprint: string;
  answer: Record<string, unknown>;
  timestamp: number;
}

/** One drift detection of a stack (DetectStackDrift), by its id. */
export interface DriftDetectionRec {
  detectionId: string;
  stackId: string;
  status: "DETECTION_IN_PROGRESS" | "DETECTION_FAILED" | "DETECTION_COMPLETE";
  reason?: string;
  stackDriftStatus?: "DRIFTED" | "IN_SYNC" | "UNKNOWN" | "NOT_CHECKED";
  driftedCount?: number;
  timestamp: number;
}

/** A resource's last drift check (drift.ts): what the template set, what the service reports, the differences. */
export interface ResourceDriftRec {
  logicalId: string;
  physicalId?: string;
  type: string;
  status: "IN_SYNC" | "MODIFIED" | "DELETED" | "NOT_CHECKED";
  expected?: Record<string, unknown>;
  actual?: Record<string, unknown>;
  differences?: { PropertyPath: string; ExpectedValue: string; ActualValue: string; DifferenceType: "ADD" | "REMOVE" | "NOT_EQUAL" }[];
  timestamp: number;
}

export const cfnState = defineState("cloudformation", {
  stacks: regional<StackRec>(),
  /** Live stack name → stack id. */
  names: regional<string>(),
  /** `<stackId>\0<logicalId>` → resource. */
  resources: regional<ResourceRec>(),
  /** `<stackId>\0<sequence>` → event, in order. */
  events: regional<EventRec>(),
  /** Stack id → the sequence number of its last event (events.ts), so appending one does not count them all. */
  eventSeq: regional<number>("event-seq"),
  /** `<stackName>\0<ClientRequestToken>` → the request that used it and its answer (tokens.ts). */
  requestTokens: regional<RequestTokenRec>("request-tokens"),
  /** Change set id (its ARN) → change set. */
  changeSets: regional<ChangeSetRec>("change-sets"),
  /** Drift detection id → detection. */
  driftDetections: regional<DriftDetectionRec>("drift-detections"),
  /** Stack id → its last completed detection's id (the stack's DriftInformation). */
  stackDrift: regional<string>("stack-drift"),
  /** `<stackId>\0<logicalId>` → the resource's last drift check. */
  resourceDrift: regional<ResourceDriftRec>("resource-drift"),
});
