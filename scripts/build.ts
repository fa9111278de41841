// `npm run build`: dist/, the CLI and server as CommonJS that bin/stratus.js loads with a V8 code cache.
//
// The shape, and why (issue 10, point 10, cold start; `npm run bench -- --only-cold` measures it):
// - dist/stratus.cjs is everything `stratus start` runs before its first answer (the CLI, the server, the gateway,
//   core, the registry's light modules), as one file. dist/chunks/*.js are the rest (each service's handlers, the
//   protocols not every request needs, the other commands), loaded on first use.
// - CommonJS, not ESM: Node's ESM loader costs a start ~15 ms (its own modules, URL resolution per module), and on
//   Node 24 an ESM `import` of node:http builds a facade that reads every export, which loads undici (~45 ms).
// - Few files: each costs ~0.5 ms to find and load, and a start reads and deserializes what it loads, so the
//   startup file holds no service code (a start then reads ~0.3 MB, not ~1 MB).
// - Whitespace and syntax minified, names kept: less to read, and no non-ASCII comment makes a two-byte string.
//
// How: esbuild splits the code (ESM, as only ESM output can be split), then a second pass turns that into
// CommonJS — the chunks `stratus start` reaches statically are bundled into dist/stratus.cjs, and every other chunk
// is converted alone. Those later chunks share modules with the startup file: the startup file exports each
// chunk it took in (`chunks`), and bin/stratus.js hands that module to a later chunk's require() of it, so every
// module has one instance. Pure-ESM dependencies (@noble/curves) are bundled in, since CommonJS cannot require()
// them on every Node 20; every other dependency stays in node_modules.
import { type Plugin, build, transform } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../src/core/store/sqlite.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
/** Dependencies bundled instead of left to require(): those published as ESM only. */
const BUNDLED = new Set(["@noble/curves"]);
/** The modules whose static closure is the startup file: the CLI, `stratus start`, the server. */
const STARTUP_ROOTS = ["src/cli/main.ts", "src/cli/start.ts", "src/server.ts"];
/** dist/stratus.cjs's name for itself among the chunks (what bin/stratus.js runs). */
export const STARTUP_FILE = "stratus.cjs";

/** The CommonJS module wrapper (Node's own parameters), around each file of dist/. */
const WRAP_HEAD = "(function (exports, require, module, __filename, __dirname) {";
const WRAP_TAIL = "\n})";

const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
  .filter((d) => !BUNDLED.has(d))
  .flatMap((d) => [d, `${d}/*`]);
const common = {
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  // A dynamic import() becomes require(): bin/stratus.js runs each file as a vm.Script, with no ESM loader behind.
  supported: { "dynamic-import": false },
  // The code's `import.meta.url` (finding the package root, createRequire) is the file's own URL.
  define: { "import.meta.url": "__stratusModuleUrl" },
  // Each file is a CommonJS module body already wrapped in its function, which bin/stratus.js compiles as is (the
  // wrapping it would otherwise add copies the source into a second string, and pushes a start into a GC).
  banner: { js: `${WRAP_HEAD}var __stratusModuleUrl=require("node:url").pathToFileURL(__filename).href;` },
  footer: { js: WRAP_TAIL },
  logLevel: "warning",
} as const;

/** A chunk of the split build: its path under dist/, the source modules in it, the chunks it imports. */
export interface SplitChunk {
  path: string;
  inputs: string[];
  imports: { path: string; kind: string }[];
  entryPoint?: string;
}

/** Pass 1: the code split as ESM, in memory, with the startup set (chunks that go into dist/stratus.cjs). */
export async function splitBuild(): Promise<{ chunks: SplitChunk[]; text: Map<string, string>; startup: Set<string> }> {
  // Paths in the metafile are relative to ROOT ("dist/chunks/x.js"); chunk paths here are relative to dist/.
  const split = await build({
    absWorkingDir: ROOT,
    entryPoints: { stratus: "src/cli/main.ts" },
    outdir: "dist",
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external,
    write: false,
    metafile: true,
    logLevel: "warning",
  });
  const slash = (p: string) => p.split("\\").join("/");
  const rel = (p: string) => posix.relative("dist", slash(p));
  const text = new Map(split.outputFiles.map((f) => [rel(posix.relative(slash(ROOT), slash(f.path))), f.text]));
  const chunks: SplitChunk[] = Object.entries(split.metafile.outputs).map(([p, o]) => ({
    path: rel(p),
    inputs: Object.keys(o.inputs),
    imports: o.imports.filter((i) => !i.external).map((i) => ({ path: rel(i.path), kind: i.kind })),
    entryPoint: o.entryPoint,
  }));
  const roots = chunks.filter((c) => c.path === "stratus.js" || (c.entryPoint && STARTUP_ROOTS.includes(c.entryPoint))).map((c) => c.path);
  return { chunks, text, startup: staticClosure(chunks, roots) };
}

/** Chunks reached from `roots` by import statements (not import()), the roots included. */
export function staticClosure(chunks: SplitChunk[], roots: string[]): Set<string> {
  const byPath = new Map(chunks.map((c) => [c.path, c]));
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const i of byPath.get(p)?.imports ?? []) if (i.kind === "import-statement") todo.push(i.path);
  }
  return seen;
}

export async function buildDist(): Promise<{ startup: string[]; later: string[] }> {
  rmSync(DIST, { recursive: true, force: true });
  const { text, startup } = await splitBuild();

  // Pass 2a: the startup chunks, bundled into one CommonJS file that also exports each of them by its chunk path.
  const ENTRY = "\0startup";
  const chunkList = [...startup].filter((p) => p !== "stratus.js").sort();
  const entrySource = [
    ...chunkList.map((p, i) => `import * as c${i} from ${JSON.stringify(`./${p}`)};`),
    // Later chunks reach these through require(): marked as ES modules so esbuild's interop keeps their `default`.
    `export const chunks = {${chunkList.map((p, i) => `${JSON.stringify(p)}: Object.defineProperty(c${i}, "__esModule", { value: true })`).join(",")}};`,
    `import "./stratus.js";`,
  ].join("\n");
  const inMemory: Plugin = {
    name: "split-output",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (a) => {
        if (a.path === ENTRY) return { path: ENTRY, namespace: "startup" };
        if (!a.path.startsWith(".")) return undefined; // a package or node: builtin: left to esbuild's external list
        const from = a.importer === ENTRY ? "" : posix.dirname(a.importer);
        const target = posix.normalize(posix.join(from, a.path));
        // A chunk outside the startup set stays a file of its own, required from where dist/stratus.cjs is.
        if (!startup.has(target)) return { path: `./${target}`, external: true };
        return { path: target, namespace: "startup" };
      });
      b.onLoad({ filter: /.*/, namespace: "startup" }, (a) => ({
        contents: a.path === ENTRY ? entrySource : text.get(a.path),
        loader: "js",
        resolveDir: ROOT,
      }));
    },
  };
  await build({ ...common, entryPoints: [ENTRY], outfile: join(DIST, STARTUP_FILE), bundle: true, format: "cjs", external, plugins: [inMemory] });

  // Pass 2b: every other chunk, converted alone; its require() of a startup chunk is answered by bin/stratus.js.
  const later = [...text.keys()].filter((p) => !startup.has(p)).sort();
  for (const p of later) {
    const source = text.get(p)!;
    // The URL only where the code asks for it: pathToFileURL per chunk loaded costs a first request ~0.1 ms each.
    const banner = source.includes("import.meta.url") ? common.banner.js : WRAP_HEAD;
    const out = await transform(source, { ...common, format: "cjs", banner, footer: common.footer.js });
    mkdirSync(dirname(join(DIST, p)), { recursive: true });
    writeFileSync(join(DIST, p), out.code);
  }

  // The empty database a new data dir starts from (core/store/sqlite.ts), made by this code's own migrations.
  const scratch = mkdtempSync(join(tmpdir(), "stratus-build-"));
  try {
    openSqliteStore(scratch).close();
    copyFileSync(join(scratch, "stratus.db"), join(DIST, "empty.db"));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // dist/ is CommonJS whatever the package's "type" says; `build` names this build's code cache (bin/stratus.js).
  const hash = createHash("sha256");
  for (const p of [STARTUP_FILE, ...later]) hash.update(p).update(readFileSync(join(DIST, p)));
  writeFileSync(join(DIST, "package.json"), `${JSON.stringify({ type: "commonjs", build: hash.digest("hex").slice(0, 16) })}\n`);
  return { startup: [...startup].sort(), later };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startup, later } = await buildDist();
  if (process.argv.includes("--verbose")) console.log(`${STARTUP_FILE}: ${startup.length} chunks; ${later.length} later chunks`);
}
