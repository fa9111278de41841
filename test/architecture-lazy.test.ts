// Lazy loading across services, checked on the bundle (dist/, built by `npm test` or `npm run build`): S3, SNS
// and Secrets Manager reach Lambda only through lambda/internal.ts (state and policy evaluation), so loading
// them must not statically load Lambda's invocation engine, which is loaded with Lambda itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const CHUNKS = join(process.cwd(), "dist", "chunks");
/** esbuild (unminified) heads each module's code with a `// <path>` comment: it names the chunk a module is in. */
const marker = (path: string) => new RegExp(`^// ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m");

function load(): Map<string, string> | undefined {
  if (!existsSync(CHUNKS)) return undefined;
  return new Map(
    readdirSync(CHUNKS)
      .filter((f) => f.endsWith(".js"))
      .map((f) => [f, readFileSync(join(CHUNKS, f), "utf8")]),
  );
}

const chunkOf = (chunks: Map<string, string>, path: string) => [...chunks].filter(([, src]) => marker(path).test(src)).map(([f]) => f);

/** Chunks a chunk loads statically (import/export … from "./x.js", import "./x.js"), transitively; not import(). */
function staticClosure(chunks: Map<string, string>, root: string): Set<string> {
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of (chunks.get(f) ?? "").matchAll(/(?:\bfrom\s*|\bimport\s*)"\.\/([^"]+\.js)"/g)) todo.push(m[1]!);
  }
  return seen;
}

test("S3, SNS and Secrets Manager do not statically load Lambda's engine chunk", (t) => {
  const chunks = load();
  if (!chunks) return t.skip("dist/ is absent (run npm run build)");
  const engine = chunkOf(chunks, "src/services/lambda/engine/index.ts");
  if (engine.length !== 1) return t.skip("engine chunk not identifiable (minified build?)");
  const lambda = chunkOf(chunks, "src/services/lambda/index.ts");
  assert.equal(lambda.length, 1);
  assert.ok(staticClosure(chunks, lambda[0]!).has(engine[0]!), "Lambda itself should load its engine statically");
  for (const svc of ["s3", "sns", "secrets-manager"]) {
    const root = chunkOf(chunks, `src/services/${svc}/index.ts`);
    assert.equal(root.length, 1, `${svc}'s chunk`);
    const closure = staticClosure(chunks, root[0]!);
    assert.ok(
      chunkOf(chunks, "src/services/lambda/internal.ts").some((c) => closure.has(c)),
      `${svc} should reach lambda/internal.ts`,
    );
    assert.ok(!closure.has(engine[0]!), `${svc}'s chunk statically reaches Lambda's engine chunk ${engine[0]}`);
  }
});

test("starting the server loads no service's handlers: only the registry's light modules (wire quirks, credential sources, validation)", (t) => {
  const chunks = load();
  if (!chunks) return t.skip("dist/ is absent (run npm run build)");
  const server = chunkOf(chunks, "src/server.ts");
  if (server.length !== 1) return t.skip("server chunk not identifiable (minified build?)");
  const closure = staticClosure(chunks, server[0]!);
  // Every service's index.ts, and handler modules that once came in through a quirk's import chain (S3's CORS
  // matcher pulled S3's handlers, which pulled Lambda's state: ~100 KB more to compile before the first answer).
  const services = readdirSync(join(process.cwd(), "src", "services"), { withFileTypes: true }).filter((d) => d.isDirectory());
  const handlers = [
    ...services.map((d) => `src/services/${d.name}/index.ts`),
    "src/services/s3/common.ts",
    "src/services/s3/objects.ts",
    "src/services/lambda/state.ts",
  ];
  for (const path of handlers) {
    const inClosure: string[] = chunkOf(chunks, path).filter((c) => closure.has(c));
    assert.deepEqual(inClosure, [], `${path} is loaded with the server (in ${inClosure.join(", ")})`);
  }
});
