// Starts a real Stratus on a random port for a test file, and makes SDK client config for it.
import { randomInt } from "node:crypto";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server.js";

export interface TestServer extends RunningServer {
  /** SDK v3 client config: this endpoint, us-east-1, the given (or a fresh random 12-digit account's) keys. */
  clientConfig(opts?: { account?: string; region?: string; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string }): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
}

export async function startTestServer(opts: ServerOptions = {}): Promise<TestServer> {
  const s = await startServer({ port: 0, ephemeral: opts.dataDir === undefined, logLevel: "error", ...opts });
  return Object.assign(s, {
    clientConfig(c: Parameters<TestServer["clientConfig"]>[0] = {}) {
      return {
        endpoint: s.url,
        region: c.region ?? "us-east-1",
        credentials: {
          accessKeyId: c.accessKeyId ?? c.account ?? randomAccount(),
          secretAccessKey: c.secretAccessKey ?? "test",
          ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
        },
      };
    },
  });
}

/** A fresh 12-digit account id: a 12-digit access key id is its own account, which isolates tests. */
export function randomAccount(): string {
  return String(randomInt(100000000000, 999999999999));
}
