// What CloudWatch Logs runs beside its handlers: the retention sweep, the keyring of encrypted groups' data keys
// (its running instance), and export tasks a stop interrupted, rerun at boot.
import type { ServiceHost } from "../../core/service.js";
import { startKeyring, type Keyring } from "./encryption.js";
import { resumeExports } from "./exports.js";
import { startRetentionSweep } from "./retention.js";

export interface LogsInstance {
  keyring: Keyring;
}

export function startLogs(host: ServiceHost): { instance: LogsInstance; stop: () => void } {
  const stop = startRetentionSweep(host);
  const keyring = startKeyring(host);
  resumeExports(host);
  return { instance: { keyring }, stop };
}
