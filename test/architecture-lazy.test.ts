// Lazy loading, checked on the code split the build makes (scripts/build.ts, the same esbuild pass): what
// dist/stratus.cjs holds — everything `stratus start` runs before its first answer — must hold no service's
// handlers, and S3, SNS and Secrets Manager reach Lambda only through lambda/internal.ts (state and policy
// evaluation), so loading them must not statically load Lambda's invocation engine, which comes with Lambda itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type SplitChunk, splitBuild, staticClosure } from "../scripts/build.js";

const split = splitBuild();
const chunkOf = (chunks: SplitChunk[], module: string) => chunks.filter((c) => c.inputs.includes(module)).map((c) => c.path);

test("S3, SNS and Secrets Manager do not statically load Lambda's engine chunk", async () => {
  const { chunks } = await split;
  const engine = chunkOf(chunks, "src/services/lambda/engine/index.ts");
  assert.equal(engine.length, 1);
  const lambda = chunkOf(chunks, "src/services/lambda/index.ts");
  assert.equal(lambda.length, 1);
  assert.ok(staticClosure(chunks, lambda).has(engine[0]!), "Lambda itself should load its engine statically");
  for (const svc of ["s3", "sns", "secrets-manager"]) {
    const root = chunkOf(chunks, `src/services/${svc}/index.ts`);
    assert.equal(root.length, 1, `${svc}'s chunk`);
    const closure = staticClosure(chunks, root);
    assert.ok(
      chunkOf(chunks, "src/services/lambda/internal.ts").some((c) => closure.has(c)),
      `${svc} should reach lambda/internal.ts`,
    );
    assert.ok(!closure.has(engine[0]!), `${svc}'s chunk statically reaches Lambda's engine chunk ${engine[0]}`);
  }
});

test("the startup file (dist/stratus.cjs) holds the server and no service's handlers: only the registry's light modules", async () => {
  const { chunks, startup } = await split;
  const inStartup = new Set(chunks.filter((c) => startup.has(c.path)).flatMap((c) => c.inputs));
  for (const m of ["src/cli/main.ts", "src/cli/start.ts", "src/server.ts", "src/services/registry.ts", "src/gateway/pipeline.ts"]) {
    assert.ok(inStartup.has(m), `${m} should be in the startup file`);
  }
  // Every service's index.ts, and handler modules that once came in through a quirk's import chain (S3's CORS
  // matcher pulled S3's handlers, which pulled Lambda's state: ~100 KB more to load before the first answer).
  const services = readdirSync(join(process.cwd(), "src", "services"), { withFileTypes: true }).filter((d) => d.isDirectory());
  const handlers = [
    ...services.map((d) => `src/services/${d.name}/index.ts`),
    "src/services/s3/common.ts",
    "src/services/s3/objects.ts",
    "src/services/lambda/state.ts",
  ];
  for (const m of handlers) assert.ok(!inStartup.has(m), `${m} is in the startup file`);
});
