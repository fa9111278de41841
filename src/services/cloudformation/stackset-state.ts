// StackSets' records, in the administrator account and region: the stack sets (by StackSetId `<name>:<uuid>`, deleted
// ones kept for DescribeStackSet by id and ListStackSets), the live name → id index, each set's stack instances and
// its operations (each with its per-account-and-region results, in the order they run).
import type { HandlerContext } from "../../core/context.js";
import { defineState, regional } from "../../core/state.js";
import type {
  AutoDeployment,
  ManagedExecution,
  Parameter,
  StackInstanceDetailedStatus,
  StackInstanceStatus,
  StackSetOperationAction,
  StackSetOperationPreferences,
  StackSetOperationResultStatus,
  StackSetOperationStatus,
} from "./api.generated.js";
import { StackSetNotFoundException } from "./api.generated.js";

export interface StackSetRec {
  stackSetId: string;
  name: string;
  arn: string;
  status: "ACTIVE" | "DELETED";
  description?: string;
  templateBody: string;
  parameters: Parameter[];
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  administrationRoleArn: string;
  executionRoleName: string;
  autoDeployment?: AutoDeployment;
  managedExecution?: ManagedExecution;
  creationTime: number;
}

export interface StackInstanceRec {
  account: string;
  region: string;
  /** The instance's stack in its account and region, once one was created. */
  stackId?: string;
  /** The stack name a CreateStack under way uses, until its stack id is recorded (found by name after a restart). */
  pendingStackName?: string;
  parameterOverrides: Parameter[];
  status: StackInstanceStatus;
  detailedStatus: StackInstanceDetailedStatus;
  statusReason?: string;
  lastOperationId?: string;
}

export interface OperationResultRec {
  account: string;
  region: string;
  status: StackSetOperationResultStatus;
  statusReason?: string;
  accountGate?: { status: "SUCCEEDED" | "FAILED" | "SKIPPED"; statusReason?: string };
}

export interface OperationRec {
  operationId: string;
  stackSetId: string;
  action: StackSetOperationAction;
  status: StackSetOperationStatus;
  preferences: StackSetOperationPreferences;
  retainStacks?: boolean;
  administrationRoleArn: string;
  executionRoleName: string;
  creationTime: number;
  endTime?: number;
  statusReason?: string;
  accounts: string[];
  /** Regions in the order the operation deploys them (RegionOrder first). */
  regions: string[];
  results: OperationResultRec[];
  /** Sequence within the stack set, for ListStackSetOperations' order. */
  seq: number;
}

export const setState = defineState("cloudformation", {
  stackSets: regional<StackSetRec>("stack-sets"),
  /** Live stack set name → StackSetId. */
  setNames: regional<string>("stack-set-names"),
  /** `<stackSetId>\0<account>\0<region>` → instance. */
  instances: regional<StackInstanceRec>("stack-instances"),
  /** `<stackSetId>\0<operationId>` → operation. */
  operations: regional<OperationRec>("stack-set-operations"),
});

export type SetTables = ReturnType<typeof setState.at>;

export const instanceKey = (stackSetId: string, account: string, region: string) => `${stackSetId}\u0000${account}\u0000${region}`;
export const operationKey = (stackSetId: string, operationId: string) => `${stackSetId}\u0000${operationId}`;

/** A stack set by name (the live one) or StackSetId (deleted ones too); AWS's error when there is none. */
export function findStackSet(ctx: HandlerContext, nameOrId: string, opts: { live?: boolean } = {}): StackSetRec {
  const t = setState.of(ctx);
  const id = nameOrId.includes(":") ? nameOrId : t.setNames.get(nameOrId);
  const s = id ? t.stackSets.get(id) : undefined;
  // Wording as AWS answers (e.g. aws-cloudformation/rain#585: "StackSet ExampleCFnStackSet not found").
  if (!s || (opts.live && s.status === "DELETED")) throw new StackSetNotFoundException(`StackSet ${nameOrId} not found`);
  return s;
}
