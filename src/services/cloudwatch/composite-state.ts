// Composite alarms as stored: the alarm (rule, actions, suppressor, state) and, when a suppressor holds its actions
// back, the pending actions and until when (so a wait or extension period resumes after a restart).
import { defineState, regional } from "../../core/state.js";
import type { ActionsSuppressedBy, StateValue, Tag } from "./api.generated.js";

export interface PendingActions {
  /** The state whose actions wait, and the state the alarm left. */
  state: StateValue;
  old: { value: StateValue; reason: string; reasonData?: string; at: number };
  until: number;
  by: ActionsSuppressedBy;
}

export interface CompositeRec {
  name: string;
  arn: string;
  description?: string;
  rule: string;
  /** The child alarms' names, as resolved from the rule's references. */
  children: string[];
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  suppressor?: string;
  suppressorWait?: number;
  suppressorExtension?: number;
  tags: Tag[];
  configUpdated: number;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdated: number;
  stateTransitioned: number;
  suppressedBy?: ActionsSuppressedBy;
  suppressedReason?: string;
  pending?: PendingActions;
  /** When the suppressor last left ALARM plus the extension period: actions wait until then. */
  extensionUntil?: number;
}

export const compositeState = defineState("cloudwatch", {
  composites: regional<CompositeRec>(),
});
