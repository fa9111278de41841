// The AWS SDK for JavaScript v3 that Node.js functions import without bundling it, as AWS's Node.js runtimes
// provide it. Node resolves a function's bare imports by walking up from its task/ folder: its own node_modules,
// then its layers' (code-cache.ts), then lambda/run/node_modules — a symlink to a "farm": one symlink per
// @aws-sdk/* and @smithy/* package, the first found in, in order,
//   1. the project: <project dir>/node_modules and its ancestors' (the server's working directory by default);
//   2. Stratus's own dependencies: the node_modules folders Node searches from Stratus's package folder (so a
//      repo clone, a hoisted or nested dependency, a global install and npx all work);
//   3. <data dir>/lambda/sdk/node_modules, where users add packages: `npm i --prefix <data dir>/lambda/sdk …`.
// Linking package by package (rather than whole folders) gives that order per package, and Node follows each link
// to where the package really lives, so its own dependencies resolve from there.
//
// The farm is checked as each Node.js environment launches: one stat per scope folder of each source (npm adds or
// removes a package → that folder's mtime changes) compared with the signature stored in the farm, tens of
// microseconds. Only a change rebuilds it, into a new folder swapped in by renaming a symlink over the old one, so
// an environment (or a second server on the same data directory) never sees a half-built farm.
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The package scopes a function finds without bundling: the SDK's clients and libraries, and Smithy's. */
export const SDK_SCOPES = ["@aws-sdk", "@smithy"];
const SIGNATURE = ".stratus-sources.json";
/** Old farms are removed once this old: environments launching meanwhile may still be resolving through them. */
const OLD_FARM_MS = 60_000;

/** The node_modules folders Node searches from `dir`: its own, then each ancestor's. */
export function nodeModulesChain(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== "node_modules") out.push(join(d, "node_modules"));
    if (dirname(d) === d) return out;
  }
}

/** Where the SDK packages come from, in order of precedence (duplicates dropped). */
export function sdkSources(projectDir: string, packageRoot: string, dataDir: string): string[] {
  return [...new Set([...nodeModulesChain(projectDir), ...nodeModulesChain(packageRoot), join(dataDir, "lambda", "sdk", "node_modules")])];
}

export class NodeSdk {
  private readonly link: string;
  private readonly farms: string;

  /** `runDir` is lambda/run, the folder every function's task/ lies under. */
  constructor(
    private readonly runDir: string,
    private readonly sources: string[],
  ) {
    this.link = join(runDir, "node_modules");
    this.farms = join(runDir, ".sdk");
  }

  /** Brings lambda/run/node_modules up to date with the sources; returns whether it had to rebuild. */
  refresh(): boolean {
    const signature = JSON.stringify(
      this.sources.flatMap((nm) => SDK_SCOPES.map((s) => [nm, s, statSync(join(nm, s), { throwIfNoEntry: false })?.mtimeMs ?? -1])),
    );
    try {
      if (readFileSync(join(this.link, SIGNATURE), "utf8") === signature) return false;
    } catch {
      // No farm yet (or the link from before farms, straight to a node_modules folder): build one.
    }
    const id = randomUUID();
    const farm = join(this.farms, id);
    for (const scope of SDK_SCOPES) {
      mkdirSync(join(farm, scope), { recursive: true });
      const seen = new Set<string>();
      for (const nm of this.sources) {
        let names: string[];
        try {
          names = readdirSync(join(nm, scope));
        } catch {
          continue;
        }
        for (const name of names) {
          if (name.startsWith(".") || seen.has(name)) continue;
          seen.add(name);
          symlinkSync(join(nm, scope, name), join(farm, scope, name), "dir");
        }
      }
    }
    writeFileSync(join(farm, SIGNATURE), signature);
    const tmp = join(this.runDir, `.node_modules-${id}`);
    symlinkSync(join(".sdk", id), tmp, "dir");
    try {
      renameSync(tmp, this.link);
    } catch {
      // A real folder in the way (rename cannot replace a non-empty directory): remove it, then rename.
      rmSync(this.link, { recursive: true, force: true });
      renameSync(tmp, this.link);
    }
    this.removeOldFarms(id);
    return true;
  }

  private removeOldFarms(current: string): void {
    const now = Date.now();
    for (const name of readdirSync(this.farms)) {
      if (name === current) continue;
      const dir = join(this.farms, name);
      const mtime = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
      if (mtime !== undefined && now - mtime > OLD_FARM_MS) rmSync(dir, { recursive: true, force: true });
    }
  }
}
