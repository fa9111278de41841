// Command-line flag parsing shared by every command: --flag value, --flag=value, booleans, one-line usage errors.
/** An error the user can act on: printed as one line, exit code 1, no stack. */
export class CliError extends Error {}

export interface FlagSpec {
  /** Flags that take a value (without the leading dashes). */
  values: readonly string[];
  /** Flags that are switches. */
  switches: readonly string[];
  /** Single-letter aliases, e.g. { y: "yes" }. */
  aliases?: Record<string, string>;
}

export interface Parsed {
  values: Map<string, string>;
  /** Switches given on the command line: true, or false when written --name=false. */
  switches: Map<string, boolean>;
}

export function parseFlags(command: string, argv: readonly string[], spec: FlagSpec): Parsed {
  const out: Parsed = { values: new Map(), switches: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg) && spec.aliases?.[arg[1]]) {
      name = spec.aliases[arg[1]];
    } else {
      throw new CliError(`unexpected argument '${arg}' for '${command}' (see stratus ${command} --help)`);
    }
    if (spec.switches.includes(name)) {
      out.switches.set(name, inline === undefined ? true : parseBool(`--${name}`, inline));
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new CliError(`--${name} needs a value`);
      out.values.set(name, value);
    } else {
      throw new CliError(`unknown option '--${name}' for '${command}' (see stratus ${command} --help)`);
    }
  }
  return out;
}

export function parseBool(what: string, v: string): boolean {
  const s = v.trim().toLowerCase();
  if (s === "1" || s === "true" || s === "yes" || s === "on") return true;
  if (s === "" || s === "0" || s === "false" || s === "no" || s === "off") return false;
  throw new CliError(`${what} must be true or false, not '${v}'`);
}

export function parsePort(what: string, v: string): number {
  if (!/^\d{1,5}$/.test(v.trim()) || Number(v) > 65535) throw new CliError(`${what} must be a port number (0-65535), not '${v}'`);
  return Number(v);
}

export function oneOf<T extends string>(what: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`${what} must be one of ${allowed.join(", ")}, not '${v}'`);
  return v as T;
}

/** A switch from the command line, else from the environment variable, else false. */
export function switchOrEnv(p: Parsed, flag: string, env: string): boolean {
  const f = p.switches.get(flag);
  if (f !== undefined) return f;
  const e = process.env[env];
  return e === undefined ? false : parseBool(env, e);
}

/** A flag's value, else the environment variable's (flags win), else undefined; empty env counts as unset. */
export function flagOrEnv(p: Parsed, flag: string, env: string): { value: string; what: string } | undefined {
  const f = p.values.get(flag);
  if (f !== undefined) return { value: f, what: `--${flag}` };
  const e = process.env[env];
  if (e !== undefined && e !== "") return { value: e, what: env };
  return undefined;
}
