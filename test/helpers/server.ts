// Starts a real Stratus on a random port for a test file, and makes SDK client config for it. useServer() is the
// usual preamble: one server per test file (before/after hooks), SDK clients for it and signed fetch.
import { randomInt } from "node:crypto";
import { before, after } from "node:test";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Sha256 } from "@aws-crypto/sha256-js";
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

/** Any SDK v3 client class: constructed from a config object. */
type ClientClass<C> = new (config: ReturnType<TestServer["clientConfig"]> & Record<string, unknown>) => C;
type ClientOpts = Parameters<TestServer["clientConfig"]>[0];

/** What useServer() hands a test file: the running server, plus client and signed-request helpers. */
export interface UsedServer extends TestServer {
  /** `new Client({ ...clientConfig(opts), ...extra })`, e.g. `server.client(S3Client, { account }, { forcePathStyle: true })`. */
  client<C>(Client: ClientClass<C>, opts?: ClientOpts, extra?: Record<string, unknown>): C;
  /**
   * fetch() with a real SigV4 signature (service, region and keys as given; keys default to a fresh random
   * account's): `path` is relative to the server's URL, or a full URL.
   */
  signedFetch(path: string, init?: SignedInit): Promise<Response>;
}

export interface SignedInit {
  service: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  region?: string;
  account?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/**
 * One server for the whole test file: started in before(), closed in after(). The object is usable from the
 * first test on (reading it at module level, before the server started, throws). `setup` runs once the server is
 * up, before any test: Node 20 runs a file's top-level before() hooks concurrently, so a before() of the file's
 * own must not use the server.
 */
export function useServer(opts: ServerOptions = {}, setup?: (server: UsedServer) => void | Promise<void>): UsedServer {
  let running: TestServer | undefined;
  before(async () => {
    running = await startTestServer(opts);
    await setup?.(used);
  });
  after(async () => {
    await running?.close();
  });
  const extras = {
    client<C>(Client: ClientClass<C>, o?: ClientOpts, extra: Record<string, unknown> = {}): C {
      return new Client({ ...live().clientConfig(o), ...extra });
    },
    signedFetch: (path: string, init?: SignedInit) => signedFetch(live(), path, init),
  };
  const live = (): TestServer => {
    if (!running) throw new Error("useServer(): the server starts in before(); use it inside a hook or a test");
    return running;
  };
  const used: UsedServer = new Proxy({} as UsedServer, {
    get(_, prop) {
      if (prop in extras) return extras[prop as keyof typeof extras];
      const s = live();
      const v = Reflect.get(s, prop);
      return typeof v === "function" ? v.bind(s) : v;
    },
    has: (_, prop) => prop in extras || prop in live(),
    ownKeys: () => [...Reflect.ownKeys(live()), ...Object.keys(extras)],
    getOwnPropertyDescriptor: (_, prop) => ({
      configurable: true,
      enumerable: true,
      writable: false,
      value: prop in extras ? extras[prop as keyof typeof extras] : Reflect.get(live(), prop),
    }),
  });
  return used;
}

/** fetch() signed with SigV4 for `init.service`, against `s` (a path) or any URL. */
export async function signedFetch(s: { url: string }, path: string, init: SignedInit = { service: "sts" }): Promise<Response> {
  const url = new URL(path, s.url);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  const signer = new SignatureV4({
    service: init.service,
    region: init.region ?? "us-east-1",
    sha256: Sha256,
    credentials: {
      accessKeyId: init.accessKeyId ?? init.account ?? randomAccount(),
      secretAccessKey: init.secretAccessKey ?? "test",
      ...(init.sessionToken ? { sessionToken: init.sessionToken } : {}),
    },
  });
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port) || undefined,
      path: url.pathname,
      query,
      headers: { host: url.host, ...init.headers },
      body: init.body,
    }),
  );
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host; // fetch sets Host itself (from the URL, the same value)
  return fetch(url, { method, headers, body: typeof init.body === "string" || init.body === undefined ? init.body : new Uint8Array(init.body) });
}

/**
 * An Authorization header shaped like SigV4 but not signed: enough for Stratus to route by the credential scope
 * (service, region) and tell the account from the key id when it does not check signatures (the default).
 */
export function scopeAuth(
  service: string,
  opts: { accessKeyId?: string; region?: string; date?: string; signedHeaders?: string; signature?: string } = {},
): string {
  return `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId ?? "123456789012"}/${opts.date ?? "20240101"}/${opts.region ?? "us-east-1"}/${service}/aws4_request, SignedHeaders=${opts.signedHeaders ?? "host"}, Signature=${opts.signature ?? "00"}`;
}
