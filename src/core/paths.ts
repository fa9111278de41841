// Where the package's own files are (models/, package.json), whether running from src/ under tsx or from
// the single-file bundle dist/stratus.js that `npm run build` makes.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "models", "index.json")) && existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("Stratus cannot find its models/ directory");
    dir = up;
  }
}

export const packageRoot = findRoot();
export const modelsDir = join(packageRoot, "models");
