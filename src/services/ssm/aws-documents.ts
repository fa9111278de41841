// Documents owned by AWS (Owner "Amazon"), present in every account and region: a small set, with the content AWS
// serves for them. AWS-RunShellScript's content, formatting included, is the one `aws ssm get-document` shows in the
// AWS CLI's own example (awscli/examples/ssm/get-document.rst); AWS-RunPowerShellScript is written the same way
// (its text from the SSM documents reference, https://docs.aws.amazon.com/systems-manager/latest/userguide/documents.html;
// its exact formatting unverified). They are constants, never stored.
import { contentFacts, sha256 } from "./document-content.js";
import type { DocRec } from "./state.js";

const executionTimeout = {
  type: "String",
  default: "3600",
  description:
    "(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).",
  allowedPattern: "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)",
};

const RUN_SHELL_SCRIPT = {
  schemaVersion: "1.2",
  description: "Run a shell script or specify the commands to run.",
  parameters: {
    commands: { type: "StringList", description: "(Required) Specify a shell script or a command to run.", minItems: 1, displayType: "textarea" },
    workingDirectory: { type: "String", default: "", description: "(Optional) The path to the working directory on your instance.", maxChars: 4096 },
    executionTimeout,
  },
  runtimeConfig: {
    "aws:runShellScript": {
      properties: [
        { id: "0.aws:runShellScript", runCommand: "{{ commands }}", workingDirectory: "{{ workingDirectory }}", timeoutSeconds: "{{ executionTimeout }}" },
      ],
    },
  },
};

const RUN_POWERSHELL_SCRIPT = {
  schemaVersion: "1.2",
  description: "Run a PowerShell script or specify the paths to scripts to run.",
  parameters: {
    commands: {
      type: "StringList",
      description: "(Required) Specify the commands to run or the paths to existing scripts on the instance.",
      minItems: 1,
      displayType: "textarea",
    },
    workingDirectory: { type: "String", default: "", description: "(Optional) The path to the working directory on your instance.", maxChars: 4096 },
    executionTimeout,
  },
  runtimeConfig: {
    "aws:runPowerShellScript": {
      properties: [
        {
          id: "0.aws:runPowerShellScript",
          runCommand: "{{ commands }}",
          workingDirectory: "{{ workingDirectory }}",
          timeoutSeconds: "{{ executionTimeout }}",
        },
      ],
    },
  },
};

// A fixed creation time: these documents predate any account here.
const CREATED = Date.parse("2017-08-31T00:00:00Z");

/** AWS's layout of these documents: four-space indents, no space after a key's colon, a final newline. */
const awsLayout = (body: object) => `${JSON.stringify(body, null, 4).replace(/^(\s*"(?:[^"\\]|\\.)*"): /gm, "$1:")}\n`;

function awsDocument(name: string, body: object): DocRec {
  const content = awsLayout(body);
  return {
    name,
    type: "Command",
    created: CREATED,
    tags: [],
    versions: [{ version: 1, content, format: "JSON", created: CREATED, hash: sha256(content), facts: contentFacts(JSON.parse(content), "Command") }],
    defaultVersion: 1,
    nextVersion: 2,
    shares: [],
  };
}

let built: Map<string, DocRec> | undefined;

/** AWS's documents by name (built on first use). */
export function awsDocuments(): Map<string, DocRec> {
  built ??= new Map([
    ["AWS-RunPowerShellScript", awsDocument("AWS-RunPowerShellScript", RUN_POWERSHELL_SCRIPT)],
    ["AWS-RunShellScript", awsDocument("AWS-RunShellScript", RUN_SHELL_SCRIPT)],
  ]);
  return built;
}

/** Owner as DescribeDocument and ListDocuments report it for AWS's documents. */
export const AMAZON = "Amazon";
