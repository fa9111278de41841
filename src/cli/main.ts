// The `stratus` command: dispatches to one module per command, loaded on demand so `start` imports only what it needs.
import { CliError } from "./args.js";

const HELP = `Usage: stratus <command> [options]

A local AWS cloud in one process. Point an AWS SDK or the AWS CLI at it with --endpoint-url.

Commands:
  start     Run the server
  status    Ask a running server how it is
  reset     Delete a data dir (asks first on a terminal; --yes to skip)

start options (environment variable in brackets; a flag wins over the environment):
  --host <addr>          Address to listen on, default 127.0.0.1       [STRATUS_HOST]
  --port <n>             Port, default 4566 (0: any free port)         [STRATUS_PORT]
  --data-dir <dir>       Where state is kept, default ./.stratus       [STRATUS_DATA_DIR]
  --ephemeral            Keep state in a temporary dir removed on exit [STRATUS_EPHEMERAL]
  --auth none|sigv4      Verify SigV4 signatures, default none          [STRATUS_AUTH]
  --log-level <level>    debug, info, warn, error or silent; default info [STRATUS_LOG_LEVEL]
  Root credentials, default test/test: STRATUS_ROOT_ACCESS_KEY_ID and STRATUS_ROOT_SECRET_ACCESS_KEY

status options: --host, --port (as for start)
reset options:  --data-dir, --yes (-y)

Other: stratus --help, stratus --version
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "start":
      return (await import("./start.js")).start(rest);
    case "status":
      return (await import("./status.js")).status(rest);
    case "reset":
      return (await import("./reset.js")).reset(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return;
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`${(await import("../version.js")).VERSION}\n`);
      return;
  }
  throw new CliError(`unknown command '${command}' (see stratus --help)`);
}

try {
  const argv = process.argv.slice(2);
  // `stratus start --help` prints help rather than starting a server.
  if (argv.length > 1 && (argv.includes("--help") || argv.includes("-h"))) process.stdout.write(HELP);
  else await main(argv);
} catch (e) {
  // A problem the user can fix gets one line; anything else is a bug in Stratus, also one line unless asked.
  const msg = e instanceof CliError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  process.stderr.write(`stratus: ${msg}\n`);
  if (!(e instanceof CliError) && process.env.STRATUS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  // Whatever was opened (a store, a socket) must not keep a failed command alive.
  process.exit(1);
}
