// The layers hold: walks every import in src/ (static, type-only and dynamic) and fails on any arrow against the
// intended direction (docs/ARCHITECTURE.md, "Layers"):
//
//   cli → server → gateway → protocols → core
//         server → runtime → core
//         server → registry → services → core (and protocols, for a service's wire quirks)
//
// A service reaches another only through that service's peer module (`internal.ts`), or its generated API types;
// a peer module imports only its own service's files and core, and never the service's handlers or engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function edgesOf(file: string): Edge[] {
  const text = readFileSync(file, "utf8");
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[2] ?? m[3];
    if (!spec.startsWith(".")) continue;
    const to = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
    edges.push({ from: relative(src, file), to: relative(src, to), typeOnly: !!m[1], dynamic: !!m[3] });
  }
  return edges;
}

/** The layer a file is in: cli, server, runtime, gateway, protocols, core, registry, or service:<name>. */
function layerOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "services") {
    if (parts.length === 2) return "registry"; // services/registry.ts, services/coverage.ts
    return `service:${parts[1]}`;
  }
  if (parts.length === 1) return parts[0].replace(/\.ts$/, ""); // server, runtime, version
  return parts[0];
}

// What each layer may import, besides itself.
const ALLOWED: Record<string, string[]> = {
  cli: ["server", "core", "version"],
  server: ["runtime", "gateway", "protocols", "registry", "core", "service:*"], // the composition root
  runtime: ["core"],
  gateway: ["protocols", "core", "version"],
  protocols: ["core"],
  core: [],
  version: ["core"],
  registry: ["core", "service:*"],
  "service:*": ["core", "protocols"],
};

const isPeer = (path: string) => /^services\/[^/]+\/internal\.ts$/.test(path);
const isApiTypes = (path: string) => /^services\/[^/]+\/api\.generated\.ts$/.test(path);

function allowed(e: Edge): string | undefined {
  const from = layerOf(e.from);
  const to = layerOf(e.to);
  if (from === to) return undefined;
  const rules = ALLOWED[from] ?? ALLOWED[from.startsWith("service:") ? "service:*" : ""] ?? [];
  if (rules.includes(to) || (to.startsWith("service:") && rules.includes("service:*"))) return undefined;
  if (from.startsWith("service:") && to.startsWith("service:")) {
    if (isPeer(e.to)) return undefined;
    if (isApiTypes(e.to) && e.typeOnly) return undefined;
    return `${e.from} reaches into ${to.slice(8)} (${e.to}): only its peer module internal.ts, or its API types`;
  }
  return `${e.from} (${from}) imports ${e.to} (${to})`;
}

const files = walk(src);
const edges = files.flatMap(edgesOf);

test("every import follows the layers' direction", () => {
  assert.ok(edges.length > 500, `found only ${edges.length} imports: is the walker broken?`);
  const wrong = edges.map(allowed).filter((w): w is string => !!w);
  assert.deepEqual(wrong, []);
});

test("a peer module imports only its own service and core, and never its handlers or engine", () => {
  const peers = files.map((f) => relative(src, f)).filter(isPeer);
  assert.ok(peers.length >= 2, "no peer modules found");
  const byFile = new Map<string, Edge[]>();
  for (const e of edges) byFile.set(e.from, [...(byFile.get(e.from) ?? []), e]);
  for (const peer of peers) {
    const service = layerOf(peer);
    const folder = peer.slice(0, peer.lastIndexOf("/") + 1);
    // Everything the peer loads with it (static imports; type-only imports load nothing).
    const seen = new Set<string>([peer]);
    const queue = [peer];
    while (queue.length) {
      for (const e of byFile.get(queue.pop()!) ?? []) {
        if (e.dynamic || e.typeOnly || seen.has(e.to)) continue;
        seen.add(e.to);
        queue.push(e.to);
      }
    }
    for (const f of seen) {
      const layer = layerOf(f);
      assert.ok(layer === service || layer === "core", `${peer} loads ${f}`);
      assert.ok(f !== `${folder}index.ts` && !f.startsWith(`${folder}engine/`), `${peer} loads ${f}: its peers would load the service itself`);
    }
  }
});

test("the runtime and the gateway get services from the catalog the server hands them, never the registry", () => {
  const offenders = edges.filter((e) => (layerOf(e.from) === "runtime" || layerOf(e.from) === "gateway") && layerOf(e.to) === "registry");
  assert.deepEqual(offenders, []);
});

test("the gateway, the codecs and the runtime name no service: what differs is declared in the registry", async () => {
  const { REGISTRY } = await import("../src/services/registry.js");
  // Also the names of things that are not services: the ec2 wire protocol and S3's signing family (core/auth).
  const notServices = new Set(["ec2", "s3"]);
  const names = new Set(REGISTRY.map((r) => r.name).filter((n) => !notServices.has(n)));
  const offenders: string[] = [];
  for (const f of files.filter((p) => /\/src\/(gateway|protocols)\//.test(p) || p.endsWith("/src/runtime.ts"))) {
    // Code only: comments may name services as examples.
    const code = readFileSync(f, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    for (const m of code.matchAll(/["'`]([a-z0-9-]+)["'`]/g)) if (names.has(m[1])) offenders.push(`${relative(src, f)}: "${m[1]}"`);
  }
  assert.deepEqual(offenders, []);
});
