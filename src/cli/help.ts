// The help texts: `stratus --help` and one per command (`stratus start --help`, `stratus help start`).
// Option tables are laid out by columns() so their columns line up whatever the longest entry is.

/** Rows of cells, each column padded to its widest cell (two spaces between columns, trailing space trimmed). */
function columns(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => (indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).trimEnd()).join("\n");
}

const START_OPTIONS = [
  ["--host <addr>", "Address to listen on; default 127.0.0.1", "[STRATUS_HOST]"],
  ["--port <n>", "Port; default 4566 (0: any free port)", "[STRATUS_PORT]"],
  ["--data-dir <dir>", "Where state is kept; default ./.stratus", "[STRATUS_DATA_DIR]"],
  ["--ephemeral", "Keep state in a temporary dir removed at exit", "[STRATUS_EPHEMERAL]"],
  ["--auth none|sigv4", "sigv4: verify every request's signature; default none", "[STRATUS_AUTH]"],
  ["--log-level <level>", "debug, info, warn, error or silent; default info", "[STRATUS_LOG_LEVEL]"],
  ["--durability process|power", "An acknowledged write survives kill -9 (process, default) or also a power cut (power: slower)", "[STRATUS_DURABILITY]"],
  ["--xray-daemon-port <n>", "X-Ray daemon (UDP and TCP on 127.0.0.1); default 2000, 0: off", "[STRATUS_XRAY_DAEMON_PORT]"],
] as const;

const ROOT_KEYS = "Root credentials for --auth sigv4 (default test/test): STRATUS_ROOT_ACCESS_KEY_ID and\nSTRATUS_ROOT_SECRET_ACCESS_KEY.";

export const GLOBAL_HELP = `Usage: stratus <command> [options]

A local AWS cloud in one process. Point an AWS SDK or the AWS CLI at it with --endpoint-url or
AWS_ENDPOINT_URL.

Commands:
${columns([
  ["start", "Run the server"],
  ["status", "Ask a running server how it is"],
  ["reset", "Delete a data dir (asks first on a terminal; --yes to skip)"],
  ["cdk", "Run your project's CDK CLI against Stratus (stratus cdk deploy)"],
])}

start options (environment variable in brackets; a flag wins over the environment):
${columns(START_OPTIONS)}
${ROOT_KEYS.replace(/^/gm, "  ")}

status options: --host, --port (as for start)
reset options:  --data-dir, --yes (-y)
cdk options:    --endpoint; everything else goes to the CDK CLI

stratus <command> --help describes one command. Other: stratus --help, stratus --version
`;

export const COMMAND_HELP: Record<string, string> = {
  start: `Usage: stratus start [options]

Runs the server until Ctrl-C or SIGTERM (in-flight requests finish first). State persists in the data dir
unless --ephemeral.

Options (environment variable in brackets; a flag wins over the environment):
${columns(START_OPTIONS)}

${ROOT_KEYS}
`,
  status: `Usage: stratus status [--host <addr>] [--port <n>]

Asks the server at http://<host>:<port> for its health and prints one line, then its data dir's size by service
(database, write-ahead log, files). Exits 1 when no Stratus answers.

Options (environment variable in brackets; a flag wins over the environment):
${columns([
  ["--host <addr>", "Address of the server; default 127.0.0.1", "[STRATUS_HOST]"],
  ["--port <n>", "Its port; default 4566", "[STRATUS_PORT]"],
])}
`,
  reset: `Usage: stratus reset [--data-dir <dir>] [--yes]

Deletes a data dir and everything Stratus kept in it. Asks first on a terminal; refuses a directory that is
not a Stratus data dir and one a running server uses.

Options (environment variable in brackets; a flag wins over the environment):
${columns([
  ["--data-dir <dir>", "The data dir to delete; default ./.stratus", "[STRATUS_DATA_DIR]"],
  ["--yes, -y", "Do not ask (needed when stdin is not a terminal)", ""],
])}
`,
  cdk: `Usage: stratus cdk [--endpoint <url>] <cdk command> [cdk options]

Runs the CDK CLI of the project you are in (aws-cdk, from ./node_modules or a parent's; install it with
npm i -D aws-cdk) against a Stratus: stratus cdk bootstrap, stratus cdk deploy, stratus cdk destroy, ...
It sets AWS_ENDPOINT_URL, and where you have not set your own: AWS_REGION=us-east-1, and the keys of an IAM
user stratus-cdk it makes in account 000000000000 (the CLI assumes the bootstrap roles, which the root user
may not). CDK_DISABLE_VERSION_CHECK=1 and CDK_DISABLE_CLI_TELEMETRY=true unless set. Commands that call AWS
first check that the server answers. deploy refuses an app with Docker image assets when no container engine
answers, before anything is deployed; after a deploy it says where the stacks' outputs are.
The exit code is the CDK CLI's. stratus cdk <command> --help is the CDK CLI's help.

Options (environment variable in brackets; a flag wins over the environment):
${columns([["--endpoint <url>", "Stratus's URL; default AWS_ENDPOINT_URL, else http://127.0.0.1:4566", "[STRATUS_ENDPOINT]"]])}
`,
};
