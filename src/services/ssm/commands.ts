// Run Command: SendCommand checks the document and its parameters as AWS does, then the targets. Stratus has no managed
// instances (no SSM Agent registers with it), so every instance is one AWS would refuse and no command is ever created:
// the listings are empty and the lookups of a command fail as they fail for an id AWS does not know.
import type { HandlerContext } from "../../core/context.js";
import { InvalidCommandId, InvalidDocument, InvalidDocumentVersion, InvalidInstanceId, InvalidParameters, InvocationDoesNotExist } from "./api.generated.js";
import type { SendCommandRequest, SendCommandResult, SsmApi } from "./api.generated.js";
import type { DeclaredParameter } from "./document-content.js";
import { findReadable, pickVersion } from "./documents.js";
import type { DocVersionRec } from "./state.js";

/**
 * The document's declared parameters against the request's: every name declared, every parameter without a default
 * given, each value list as its type, allowed values and pattern allow. AWS answers InvalidParameters with an empty
 * message (claranet/ssha#71: "An error occurred (InvalidParameters) when calling the SendCommand operation:").
 */
function checkParameters(declared: Record<string, DeclaredParameter>, given: Record<string, string[]>): void {
  const bad = () => new InvalidParameters("");
  for (const name of Object.keys(given)) if (!(name in declared)) throw bad();
  for (const [name, spec] of Object.entries(declared)) {
    const values = given[name];
    if (values === undefined) {
      if (spec.default === undefined) throw bad();
      continue;
    }
    const list = spec.type === "StringList" || spec.type === "MapList";
    if (!list && values.length !== 1) throw bad();
    if (spec.minItems !== undefined && values.length < spec.minItems) throw bad();
    if (spec.maxItems !== undefined && values.length > spec.maxItems) throw bad();
    for (const v of values) {
      if (spec.allowedValues && !spec.allowedValues.includes(v)) throw bad();
      if (spec.allowedPattern !== undefined && !fullMatch(spec.allowedPattern, v)) throw bad();
      if (spec.maxChars !== undefined && v.length > spec.maxChars) throw bad();
      if (spec.type === "Integer" && !/^-?\d+$/.test(v)) throw bad();
      if (spec.type === "Boolean" && v !== "true" && v !== "false") throw bad();
    }
  }
}

/** A document's allowedPattern is a Java regular expression over the whole value. */
function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    // A pattern JavaScript cannot read is not held against the caller.
    return true;
  }
}

function sendCommand(input: SendCommandRequest, ctx: HandlerContext): SendCommandResult {
  const found = findReadable(ctx, input.DocumentName);
  // Unverified wording (moto's, moto/ssm/models.py): AWS's message for an unknown document is not recorded publicly.
  if (!found || found.doc.type !== "Command") throw new InvalidDocument("The specified document does not exist.");
  let version: DocVersionRec;
  try {
    version = pickVersion(found.doc, input.DocumentVersion, undefined);
  } catch {
    throw new InvalidDocumentVersion("The document version is not valid or does not exist.");
  }
  checkParameters(version.facts.declared, input.Parameters ?? {});
  const ids = [...(input.InstanceIds ?? []), ...(input.Targets ?? []).filter((t) => t.Key === "InstanceIds").flatMap((t) => t.Values ?? [])];
  if (ids.length) {
    // AWS's wording for instances it cannot reach (PacktPublishing/AWS-DevOps-Simplified#15,
    // aws-samples/eks-security-compromised-cluster-remediation#12): "Instances [[i-…]] not in a valid state for account N".
    // How several ids are joined inside the brackets is unverified.
    throw new InvalidInstanceId(`Instances [[${ids.join(", ")}]] not in a valid state for account ${ctx.account}`);
  }
  // Tag and resource-group targets: no managed instance can match them here, and AWS would create a command that runs
  // nowhere — Stratus refuses instead of answering a command that can never run. Unverified wording.
  throw new InvalidInstanceId(`No managed instances match the targets for account ${ctx.account}: Stratus has no managed instances.`);
}

export const commands = {
  sendCommand,

  // No command exists here, so a listing (for any id) is empty, as AWS answers for an id it does not know
  // (aws/aws-cli#3546: ListCommandInvocations "returns a 200 and an empty list because the commandID was not found").
  listCommands() {
    return { Commands: [] };
  },

  listCommandInvocations() {
    return { CommandInvocations: [] };
  },

  // AWS answers an unknown command/instance pair with InvocationDoesNotExist and no message
  // (guardian/ssm-scala#34, aws/aws-sdk#86: "An error occurred (InvocationDoesNotExist): ").
  getCommandInvocation() {
    throw new InvocationDoesNotExist("");
  },

  // Unverified: the message AWS gives for cancelling a command it does not know.
  cancelCommand() {
    throw new InvalidCommandId("");
  },
} satisfies Partial<SsmApi>;
