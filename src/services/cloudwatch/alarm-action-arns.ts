// The alarm action ARNs PutMetricAlarm and PutCompositeAlarm accept (the API reference's list under AlarmActions):
// SNS topics and Lambda functions, which Stratus runs; EC2 instance actions (arn:aws:automate:<region>:ec2:stop|
// terminate|reboot|recover and the arn:aws:swf:…:action/actions/AWS_EC2.InstanceId.<Action>/1.0 forms), Auto Scaling
// and Application Auto Scaling policies, Systems Manager OpsItems and Incident Manager response plans, and Amazon Q
// investigations, which Stratus accepts but cannot run: when their turn comes the alarm's history records a failed
// action saying so (alarm-actions.ts), never a silent success.
import { parseArn } from "../../core/arn.js";
import { invalidActionArn } from "./alarm-form.js";
import { ServiceError } from "../../core/errors.js";
import { type Dimension, InvalidParameterValueException } from "./api.generated.js";

export type ActionKind = "sns" | "lambda" | "ec2" | "autoscaling" | "application-autoscaling" | "opsitem" | "incident" | "investigation";

const EC2_ACTIONS = /^ec2:(stop|terminate|reboot|recover)$/;
const SWF_EC2_ACTIONS = /^action\/actions\/AWS_EC2\.InstanceId\.(Stop|Terminate|Reboot|Recover)\/1\.0$/;
// scalingPolicy:<policy id>:autoScalingGroupName/<group>:policyName/<policy>, and Application Auto Scaling's
// scalingPolicy:<policy id>:resource/<service namespace>/<resource id>:policyName/<policy>.
const SCALING_POLICY = /^scalingPolicy:[0-9a-fA-F-]+:autoScalingGroupName\/[^:]+:policyName\/.+$/;
const APP_SCALING_POLICY = /^scalingPolicy:[0-9a-fA-F-]+:resource\/[^/]+\/.+:policyName\/.+$/;
const OPSITEM = /^opsitem:[1-4](#CATEGORY=(Availability|Cost|Performance|Recovery|Security))?$/;
const RESPONSE_PLAN = /^response-?plan\/[A-Za-z0-9_-]+$/;

/** What an action ARN is, or undefined when no alarm action has that form. */
export function actionKind(arn: string): ActionKind | undefined {
  const a = parseArn(arn);
  if (!a) return undefined;
  switch (a.service) {
    case "sns":
      return a.resource && !a.resource.includes(":") ? "sns" : undefined;
    case "lambda":
      return a.resource.startsWith("function:") ? "lambda" : undefined;
    case "automate":
      // arn:aws:automate:<region>:ec2:<action> has no account: "ec2" sits where the account would.
      return EC2_ACTIONS.test(`${a.account}:${a.resource}`) ? "ec2" : undefined;
    case "swf":
      return SWF_EC2_ACTIONS.test(a.resource) ? "ec2" : undefined;
    case "autoscaling":
      return SCALING_POLICY.test(a.resource) ? "autoscaling" : APP_SCALING_POLICY.test(a.resource) ? "application-autoscaling" : undefined;
    case "ssm":
      return OPSITEM.test(a.resource) ? "opsitem" : undefined;
    case "ssm-incidents":
      return RESPONSE_PLAN.test(a.resource) ? "incident" : undefined;
    case "aiops":
      return a.resource.startsWith("investigation-group:") ? "investigation" : undefined;
    default:
      return undefined;
  }
}

/** Why Stratus cannot run an action of this kind: the error its failed Action history item carries. */
export const NOT_RUN: Partial<Record<ActionKind, string>> = {
  ec2: "Stratus does not run Amazon EC2: there is no instance for this action to act on.",
  autoscaling: "Stratus does not run Amazon EC2 Auto Scaling: there is no scaling policy to execute.",
  "application-autoscaling": "Stratus does not run Application Auto Scaling: there is no scaling policy to execute.",
  opsitem: "Stratus does not run AWS Systems Manager OpsCenter: no OpsItem can be created.",
  incident: "Stratus does not run AWS Systems Manager Incident Manager: no incident can be started.",
  investigation: "Stratus does not run Amazon Q Developer operational investigations.",
};

/** Actions AWS repeats every minute while the alarm stays in the state (Auto Scaling policies). */
export const REPEATED: ReadonlySet<ActionKind> = new Set(["autoscaling", "application-autoscaling"]);

/**
 * Refuses an action ARN no alarm action has the form of (the first one found), as PutMetricAlarm does. `metric` is a
 * metric alarm's metric (its dimensions; undefined for metric math and composite alarms): an EC2 action needs one with
 * an InstanceId dimension — AWS's ValidationError "Invalid use of EC2 action. An EC2 action can only be used if the
 * alarm is monitoring an EC2 instance." (quoted from a CloudFormation deployment in marklogic/cloud-enablement-aws#82).
 */
export function checkActions(lists: { name: string; arns: string[] | undefined }[], metric?: { dimensions: Dimension[] }): void {
  for (const { arns } of lists)
    for (const arn of arns ?? []) {
      if (!parseArn(arn)) throw invalidActionArn();
      const kind = actionKind(arn);
      if (!kind) throw new InvalidParameterValueException(`Invalid action ARN: ${arn}`); // unverified wording
      if (kind === "ec2" && !metric?.dimensions.some((d) => d.Name === "InstanceId"))
        throw new ServiceError("ValidationError", "Invalid use of EC2 action. An EC2 action can only be used if the alarm is monitoring an EC2 instance.", 400);
    }
}
