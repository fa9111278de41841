#!/usr/bin/env node
// The `stratus` command. It runs dist/ (scripts/build.ts): dist/stratus.cjs, what `stratus start` needs before its
// first answer, and dist/chunks/*.js, the rest, each loaded on first use. This file is their module loader:
// - A chunk's require() of another chunk is answered here: by the module dist/stratus.cjs already holds (it exports
//   each chunk bundled into it), or by loading the chunk once. Anything else goes to Node's require.
// - V8's compiled code for each file is kept between runs (a code cache), so a start does not parse again what the
//   last one compiled. A file's cache is taken once the process has run 2 s past its loading (or at exit): it then
//   holds what ran, not only the top level. Caches live in the OS temp dir, in a folder only this user may write
//   (a cache is code this process would run), one folder per build, command and Node; V8 refuses a cache made by
//   another V8 or with other flags, and a new one is written. NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) or
//   STRATUS_COMPILE_CACHE=0 turns caching off; STRATUS_COMPILE_CACHE_DIR moves it.
// CommonJS (bin/package.json): Node's ESM loader would cost a start ~15 ms.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const DIST = path.join(__dirname, "..", "dist");
const STARTUP = "stratus.cjs";

/** This run's cache folder, or undefined when caching is off or the folder is not this user's alone. */
function cacheDir() {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE === "1" || env.STRATUS_COMPILE_CACHE === "0") return undefined;
  try {
    const { build } = JSON.parse(fs.readFileSync(path.join(DIST, "package.json"), "utf8"));
    if (typeof build !== "string" || !/^[0-9a-f]+$/.test(build)) return undefined;
    const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
    // os.tmpdir()'s own rule on POSIX, without loading node:os (~0.4 ms).
    const tmp = uid === undefined ? require("node:os").tmpdir() : (env.TMPDIR || env.TMP || env.TEMP || "/tmp").replace(/(.)\/$/, "$1");
    const root = env.STRATUS_COMPILE_CACHE_DIR || path.join(tmp, `stratus-compile-cache${uid === undefined ? "" : `-${uid}`}`);
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    const st = fs.statSync(root);
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    // Per command: `stratus status` compiles other parts of dist/stratus.cjs than `stratus start`.
    const command = ["start", "status", "reset"].includes(process.argv[2]) ? process.argv[2] : "other";
    return { root, dir: path.join(root, `${build}-${command}-${process.version}-${process.arch}`) };
  } catch {
    return undefined;
  }
}

const cache = cacheDir();
/** Scripts compiled without a usable cache, whose cache is written once they have run a while. */
const unsaved = [];
let saveTimer;

function saveCaches() {
  clearTimeout(saveTimer);
  if (!cache || unsaved.length === 0) return;
  try {
    fs.mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    for (const [file, script] of unsaved.splice(0)) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file);
    }
    // Other builds' caches not used for a week go (each `npm run build` is a new build).
    const week = Date.now() - 7 * 24 * 3600 * 1000;
    for (const d of fs.readdirSync(cache.root)) {
      const p = path.join(cache.root, d);
      if (p !== cache.dir && fs.statSync(p).mtimeMs < week) fs.rmSync(p, { recursive: true, force: true });
    }
  } catch {
    // A cache is an optimization: a full disk or a vanished temp dir must not stop Stratus.
  }
}
if (cache) process.once("exit", saveCaches);

/** Compiles a module's wrapped source with its code cache (`name`: the cache file's name), if any. */
function compile(file, wrapped, name) {
  const cacheFile = cache && path.join(cache.dir, `${name.replace(/[\\/:]/g, "_")}.bin`);
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {}
  }
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    unsaved.push([cacheFile, script]);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveCaches, 2000).unref();
  }
  return script;
}

/** Runs one file of dist/ (path relative to it) as a CommonJS module. */
function run(rel, module) {
  const file = path.join(DIST, rel);
  // esbuild writes ASCII only, and wraps each file in the CommonJS module function already (scripts/build.ts).
  const script = compile(file, fs.readFileSync(file, "latin1"), rel);
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(module.exports, module.exports, requireFrom(rel), module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

/**
 * A dependency's CommonJS files, run like dist/'s own: with the code cache, and relative requires of .js files
 * resolved directly rather than through Node's lookups (~13 small files of the SQLite driver cost a start ~3 ms
 * otherwise). `tag` (name@version) and each file's size and mtime key the cache, so an upgraded package never runs
 * old code. dist/ asks for this through a global (core/store/driver.ts), as it is this loader's to offer.
 */
const packageFiles = new Map();
function loadPackageFile(file, tag) {
  let m = packageFiles.get(file);
  if (m) return m.exports;
  m = new Module(file, main);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  packageFiles.set(file, m);
  const st = fs.statSync(file);
  const wrapped = Module.wrap(fs.readFileSync(file, "utf8"));
  const script = compile(file, wrapped, `${tag}${file}-${st.size}-${Math.trunc(st.mtimeMs)}`);
  const dir = path.dirname(file);
  const node = Module.createRequire(file);
  const require = (id) => {
    if (id.startsWith("./") || id.startsWith("../")) {
      const target = path.resolve(dir, id);
      const js = target.endsWith(".js") ? target : `${target}.js`;
      // Node's own order: the exact name first (a file without extension wins), then name.js.
      if (js !== target && fs.statSync(target, { throwIfNoEntry: false })?.isFile()) return node(id);
      if (fs.statSync(js, { throwIfNoEntry: false })?.isFile()) return loadPackageFile(js, tag);
    }
    return node(id);
  };
  require.resolve = node.resolve;
  require.cache = node.cache;
  script.runInThisContext().call(m.exports, m.exports, require, m, file, dir);
  m.loaded = true;
  return m.exports;
}
globalThis[Symbol.for("stratus.loadPackageFile")] = loadPackageFile;

const main = new Module(path.join(DIST, STARTUP), module);
/** Chunks loaded on their own, by path relative to dist/. */
const chunks = new Map();

function requireFrom(rel) {
  const node = Module.createRequire(path.join(DIST, rel));
  const dir = path.posix.dirname(rel);
  const require = (id) => {
    if (!id.startsWith("./") && !id.startsWith("../")) return node(id);
    const target = path.posix.normalize(path.posix.join(dir, id));
    const bundled = main.exports.chunks?.[target];
    if (bundled) return bundled;
    let m = chunks.get(target);
    if (!m) {
      m = new Module(path.join(DIST, target), main);
      chunks.set(target, m);
      run(target, m);
    }
    return m.exports;
  };
  require.resolve = node.resolve;
  require.cache = node.cache;
  return require;
}

run(STARTUP, main);
