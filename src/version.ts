// The package version, read once from package.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./core/paths.js";

export const VERSION: string = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).version;
