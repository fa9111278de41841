// Where a function's code runs from: its zip unpacked once per code and layer set under the data directory,
// laid out so the function finds its layers and the AWS SDK the way it does on AWS:
//   lambda/run/node_modules          → the AWS SDK for JavaScript (the "runtime-provided" SDK; node-sdk.ts)
//   lambda/run/<key>/task/           → LAMBDA_TASK_ROOT, the unpacked function code
//   lambda/run/<key>/opt/            → the function's layers merged in order (AWS mounts them at /opt)
//   lambda/run/<key>/node_modules    → opt/nodejs/node_modules, so ESM imports of layer packages resolve too
// Node resolves bare imports by walking up from task/, which reaches both node_modules folders.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../core/paths.js";
import type { BlobStore } from "../../../core/blobs.js";
import { extractZip } from "../../../core/zip.js";
import { MAX_UNZIPPED } from "../code.js";
import { NodeSdk, sdkSources } from "./node-sdk.js";
import type { CodeRef } from "../state.js";

export interface PreparedCode {
  taskRoot: string;
  optDir: string;
}

export class CodeCache {
  private readonly root: string;
  private readonly inflight = new Map<string, Promise<PreparedCode>>();
  /** lambda/run/node_modules: the AWS SDK Node.js functions find without bundling it (node-sdk.ts). */
  readonly nodeSdk: NodeSdk;

  /** `projectDir`: the user's project, whose node_modules (and its ancestors') provide the SDK first. */
  constructor(
    dataDir: string,
    private readonly blobs: BlobStore,
    projectDir: string,
  ) {
    this.root = join(dataDir, "lambda", "run");
    mkdirSync(this.root, { recursive: true });
    this.nodeSdk = new NodeSdk(this.root, sdkSources(projectDir, packageRoot, dataDir));
  }

  /** Unpacks (once) the code and layers; later calls for the same code and layers return at once. */
  prepare(code: CodeRef, layers: CodeRef[]): Promise<PreparedCode> {
    const key = createHash("sha256")
      .update([code.sha256, ...layers.map((l) => l.sha256)].join("|"))
      .digest("hex")
      .slice(0, 32);
    const dir = join(this.root, key);
    const done = { taskRoot: join(dir, "task"), optDir: join(dir, "opt") };
    if (existsSync(join(dir, ".ready"))) return Promise.resolve(done);
    let p = this.inflight.get(key);
    if (!p) {
      p = Promise.resolve().then(() => {
        this.unpack(dir, code, layers);
        return done;
      });
      p.finally(() => this.inflight.delete(key)).catch(() => {});
      this.inflight.set(key, p);
    }
    return p;
  }

  private unpack(dir: string, code: CodeRef, layers: CodeRef[]): void {
    const tmp = `${dir}.tmp-${randomUUID()}`;
    try {
      mkdirSync(join(tmp, "opt"), { recursive: true });
      let budget = MAX_UNZIPPED;
      for (const layer of layers) budget -= extractZip(readFileSync(this.blobs.filePath(layer.blobId)), join(tmp, "opt"), { maxBytes: budget }).bytes;
      extractZip(readFileSync(this.blobs.filePath(code.blobId)), join(tmp, "task"), { maxBytes: budget });
      mkdirSync(join(tmp, "task"), { recursive: true });
      if (existsSync(join(tmp, "opt", "nodejs", "node_modules"))) symlinkSync(join("opt", "nodejs", "node_modules"), join(tmp, "node_modules"), "dir");
      // Written last, so a crash mid-unpack leaves no folder that looks ready.
      writeFileSync(join(tmp, ".ready"), "");
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
}
