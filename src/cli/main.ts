// The `stratus` command: dispatches to one module per command, loaded on demand so `start` imports only what it needs.
import { CliError } from "./args.js";

const COMMANDS = ["start", "status", "reset", "cdk"];

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `stratus <command> --help` (or -h anywhere after it) prints that command's usage instead of running it; for
  // `cdk` only `stratus cdk` alone or `stratus cdk --help`, as `stratus cdk deploy --help` is the CDK CLI's.
  if (command === "cdk") {
    if (rest.length === 0 || (rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h"))) return help(command);
  } else if (COMMANDS.includes(command) && (rest.includes("--help") || rest.includes("-h"))) return help(command);
  switch (command) {
    case "start":
      return (await import("./start.js")).start(rest);
    case "status":
      return (await import("./status.js")).status(rest);
    case "reset":
      return (await import("./reset.js")).reset(rest);
    case "cdk":
      return (await import("./cdk.js")).cdk(rest);
    case undefined:
    case "--help":
    case "-h":
      return help(undefined);
    case "help":
      // `stratus help start` is `stratus start --help`.
      if (rest[0] !== undefined && !COMMANDS.includes(rest[0])) throw new CliError(`unknown command '${rest[0]}' (see stratus --help)`);
      return help(rest[0]);
    case "--version":
    case "-v":
    case "version":
      process.stdout.write(`${(await import("../version.js")).VERSION}\n`);
      return;
  }
  throw new CliError(`unknown command '${command}' (see stratus --help)`);
}

async function help(command: string | undefined): Promise<void> {
  const { GLOBAL_HELP, COMMAND_HELP } = await import("./help.js");
  process.stdout.write(command === undefined ? GLOBAL_HELP : COMMAND_HELP[command]);
}

// No top-level await: the bundle is CommonJS (scripts/build.ts).
main(process.argv.slice(2)).catch((e: unknown) => {
  // A problem the user can fix gets one line; anything else is a bug in Stratus, also one line unless asked.
  const msg = e instanceof CliError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  process.stderr.write(`stratus: ${msg}\n`);
  if (!(e instanceof CliError) && process.env.STRATUS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  // Whatever was opened (a store, a socket) must not keep a failed command alive.
  process.exit(1);
});
