#!/usr/bin/env node
// The CLI runs from one bundled file (dist/stratus.js): loading ~100 separate modules costs cold start ~20 ms.
// Where Node has it (22.1+), V8's compile cache keeps the bundle's compiled code between runs (in the OS temp dir,
// or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a start after the first compiles little.
// It must be on before the bundle loads, hence the dynamic import.
import module from "node:module";

module.enableCompileCache?.();
await import("../dist/stratus.js");
