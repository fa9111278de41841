// The ZIP reader and writer: round trips, modes, archives from Python's zipfile (deflate, ZIP64), and the
// archives extractZip must refuse (traversal, escaping symlinks, corruption, oversize).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractZip, listZip, readZipEntry, ZipError } from "../../src/core/zip.js";
import { makeZip, type ZipInput } from "../helpers/zip.js";

const noPython = spawnSync("python3", ["-c", "import zipfile"], { stdio: "ignore" }).status !== 0 && "python3 not installed";
const noUnzip = spawnSync("unzip", ["-v"], { stdio: "ignore" }).status !== 0 && "unzip not installed";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "stratus-zip-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a Python script with argv[1] = `arg`; returns its stdout. */
function python(script: string, arg: string): string {
  const r = spawnSync("python3", ["-c", script, arg], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const mode = (p: string): number => statSync(p).mode & 0o777;

test("makeZip round-trips text, binary, empty and large files through listZip, readZipEntry and extractZip", () => {
  const random = randomBytes(5 << 20);
  const compressible = Buffer.alloc(5 << 20, "stratus lambda layer ");
  const files: ZipInput[] = [
    { name: "index.mjs", data: "export const handler = async () => 'héllo ☁';\n" },
    { name: "bin/blob.bin", data: randomBytes(1000) },
    { name: "empty.txt", data: "" },
    { name: "lib/random.bin", data: random },
    { name: "lib/text.txt", data: compressible },
    { name: "dir/", directory: true },
  ];
  const zip = makeZip(files);
  assert.ok(zip.length < random.length + compressible.length / 10, "compressible data is deflated");
  const entries = listZip(zip);
  assert.deepEqual(
    entries.map((e) => e.name),
    ["index.mjs", "bin/blob.bin", "empty.txt", "lib/random.bin", "lib/text.txt", "dir/"],
  );
  const byName = new Map(entries.map((e) => [e.name, e]));
  assert.equal(byName.get("lib/text.txt")!.method, 8);
  assert.equal(byName.get("lib/random.bin")!.method, 0, "stored when deflate would not shrink");
  assert.equal(byName.get("empty.txt")!.size, 0);
  assert.equal(byName.get("dir/")!.isDirectory, true);
  assert.equal(byName.get("index.mjs")!.mode, 0o100644);
  for (const f of files.filter((f) => !f.directory)) {
    assert.deepEqual(readZipEntry(zip, byName.get(f.name)!), Buffer.from(f.data!));
  }
  assert.deepEqual(makeZip(files), zip, "output is deterministic");
  assert.ok(listZip(makeZip(files, { store: true })).every((e) => e.method === 0));

  withDir((dir) => {
    const out = join(dir, "out");
    const r = extractZip(zip, out);
    assert.deepEqual(r, { files: 5, bytes: random.length + compressible.length + 1000 + Buffer.byteLength(files[0].data!) });
    assert.equal(readFileSync(join(out, "index.mjs"), "utf8"), files[0].data);
    assert.deepEqual(readFileSync(join(out, "lib/random.bin")), random);
    assert.deepEqual(readFileSync(join(out, "lib/text.txt")), compressible);
    assert.equal(readFileSync(join(out, "empty.txt")).length, 0);
    assert.ok(statSync(join(out, "dir")).isDirectory());
  });
});

test("modes survive: executables stay executable, directories are 0o755, symlinks are recreated", () => {
  const zip = makeZip([
    { name: "bootstrap", data: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { name: "secret.txt", data: "x", mode: 0o600 },
    { name: "plain.txt", data: "y" },
    { name: "conf/", directory: true },
    { name: "node_modules/.bin/tool", symlinkTarget: "../tool/cli.js" },
    { name: "node_modules/tool/cli.js", data: "cli", mode: 0o755 },
  ]);
  const entries = listZip(zip);
  assert.equal(entries[0].mode, 0o100755);
  assert.equal(entries[3].mode, 0o040755);
  assert.equal(entries[4].isSymlink, true);
  assert.equal(entries[4].mode, 0o120777);
  withDir((dir) => {
    extractZip(zip, dir);
    assert.equal(mode(join(dir, "bootstrap")), 0o755);
    assert.equal(mode(join(dir, "secret.txt")), 0o600);
    assert.equal(mode(join(dir, "plain.txt")), 0o644);
    assert.equal(mode(join(dir, "conf")), 0o755);
    assert.ok(lstatSync(join(dir, "node_modules/.bin/tool")).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, "node_modules/.bin/tool")), "../tool/cli.js");
    assert.equal(readFileSync(join(dir, "node_modules/.bin/tool"), "utf8"), "cli");
  });
});

test("duplicate names: the last one wins; an empty archive extracts to nothing", () => {
  withDir((dir) => {
    extractZip(
      makeZip([
        { name: "a.txt", data: "first" },
        { name: "./a.txt", data: "second" },
      ]),
      dir,
    );
    assert.equal(readFileSync(join(dir, "a.txt"), "utf8"), "second");
  });
  const empty = makeZip([]);
  assert.equal(empty.length, 22);
  assert.deepEqual(listZip(empty), []);
  withDir((dir) => {
    assert.deepEqual(extractZip(empty, join(dir, "out")), { files: 0, bytes: 0 });
    assert.deepEqual(readdirSync(join(dir, "out")), []);
  });
});

test("Python's zipfile and unzip read makeZip's output, modes included", { skip: noPython }, () => {
  withDir((dir) => {
    const path = join(dir, "fn.zip");
    writeFileSync(
      path,
      makeZip([
        { name: "bootstrap", data: "#!/bin/sh\n".repeat(50), mode: 0o755 },
        { name: "lib/ünïcode.txt", data: "hello" },
        { name: "lib/", directory: true },
      ]),
    );
    const out = python(
      "import zipfile,sys,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n" +
        "print(json.dumps([[i.filename, i.external_attr >> 16, i.compress_type, z.read(i).decode()[:10]] for i in z.infolist()]))",
      path,
    );
    assert.deepEqual(JSON.parse(out), [
      ["bootstrap", 0o100755, 8, "#!/bin/sh\n"],
      ["lib/ünïcode.txt", 0o100644, 0, "hello"],
      ["lib/", 0o040755, 0, ""],
    ]);
    if (!noUnzip) {
      const r = spawnSync("unzip", ["-t", path], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
  });
});

test("an archive made by Python's zipfile (deflated, a 0o755 member, a data descriptor) extracts correctly", { skip: noPython }, () => {
  withDir((dir) => {
    const path = join(dir, "py.zip");
    python(
      "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n" +
        " i=zipfile.ZipInfo('bootstrap'); i.external_attr=0o100755<<16; i.compress_type=zipfile.ZIP_DEFLATED\n" +
        " z.writestr(i,'#!/bin/sh\\nexec node index.js\\n'*20)\n" +
        " z.writestr('src/index.js','exports.handler=async()=>42;\\n'*100)\n" +
        " z.writestr('src/data.bin',bytes(range(256))*40)\n" +
        " with z.open('streamed.txt','w') as f: f.write(b'streamed '*1000)\n" +
        // An unseekable output makes zipfile put sizes and CRCs in data descriptors after each member.
        "class W:\n def __init__(s,f): s.f=f\n def write(s,b): return s.f.write(b)\n def flush(s): s.f.flush()\n" +
        "with open(sys.argv[1]+'.dd','wb') as out, zipfile.ZipFile(W(out),'w',zipfile.ZIP_DEFLATED) as z:\n" +
        " z.writestr('dd.txt','descriptor '*500)\n",
      path,
    );
    const zip = readFileSync(path);
    const entries = listZip(zip);
    assert.ok(entries.every((e) => e.method === 8));
    const out = join(dir, "out");
    assert.equal(extractZip(zip, out).files, 4);
    assert.equal(mode(join(out, "bootstrap")), 0o755);
    assert.equal(readFileSync(join(out, "bootstrap"), "utf8"), "#!/bin/sh\nexec node index.js\n".repeat(20));
    assert.equal(readFileSync(join(out, "src/index.js"), "utf8"), "exports.handler=async()=>42;\n".repeat(100));
    assert.deepEqual(readFileSync(join(out, "src/data.bin")), Buffer.concat(Array(40).fill(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))));
    assert.equal(readFileSync(join(out, "streamed.txt"), "utf8"), "streamed ".repeat(1000));
    const dd = readFileSync(path + ".dd");
    assert.equal(dd.readUInt16LE(6) & 8, 8, "the local header defers to a data descriptor");
    assert.equal(readZipEntry(dd, listZip(dd)[0]).toString(), "descriptor ".repeat(500));
  });
});

test("ZIP64: a force_zip64 member, zip64 extra fields and the zip64 end records are read", { skip: noPython }, () => {
  withDir((dir) => {
    const path = join(dir, "z64.zip");
    // Lowering ZIP64_LIMIT makes zipfile write real ZIP64 structures (sizes and offsets in the extra field,
    // the zip64 end record and locator) without a 4 GiB file.
    python(
      "import zipfile,sys\nzipfile.ZIP64_LIMIT=0\n" +
        "with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n" +
        " with z.open('big.txt','w',force_zip64=True) as f: f.write(b'zip64 '*5000)\n" +
        " z.writestr('second.txt','two')\n z.writestr('third.bin',bytes(300))\n",
      path,
    );
    const zip = readFileSync(path);
    assert.ok(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), "has a zip64 end record");
    assert.ok(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x07])), "has a zip64 locator");
    const entries = listZip(zip);
    assert.deepEqual(
      entries.map((e) => [e.name, e.size]),
      [
        ["big.txt", 30000],
        ["second.txt", 3],
        ["third.bin", 300],
      ],
    );
    assert.equal(readZipEntry(zip, entries[0]).toString(), "zip64 ".repeat(5000));
    assert.equal(readZipEntry(zip, entries[1]).toString(), "two");
    assert.deepEqual(readZipEntry(zip, entries[2]), Buffer.alloc(300));
  });
});

test("makeZip writes zip64 end records past 65534 entries, and both we and Python read them", () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 70_000; i++) files[`f/${i}`] = "";
  const zip = makeZip(files);
  const entries = listZip(zip);
  assert.equal(entries.length, 70_000);
  assert.equal(entries[69_999].name, "f/69999");
  if (!noPython) {
    withDir((dir) => {
      writeFileSync(join(dir, "many.zip"), zip);
      assert.equal(python("import zipfile,sys\nprint(len(zipfile.ZipFile(sys.argv[1]).namelist()))", join(dir, "many.zip")).trim(), "70000");
    });
  }
});

test("unsafe names and escaping symlinks are refused before anything is written", () => {
  const cases: ZipInput[][] = [
    [{ name: "../evil", data: "x" }],
    [{ name: "/abs", data: "x" }],
    [{ name: "a/../../x", data: "x" }],
    [{ name: "C:/windows/x", data: "x" }],
    [{ name: "link", symlinkTarget: "../outside" }],
    [{ name: "link", symlinkTarget: "/etc/passwd" }],
    // x -> . makes "x/x/.." climb out although the text reads as inside.
    [
      { name: "x", symlinkTarget: "." },
      { name: "l", symlinkTarget: "x/x/.." },
    ],
  ];
  for (const files of cases) {
    withDir((dir) => {
      const out = join(dir, "out");
      assert.throws(() => extractZip(makeZip([{ name: "first.txt", data: "1" }, ...files]), out), ZipError, JSON.stringify(files));
      assert.ok(!existsSync(join(out, "first.txt")), "nothing written");
      assert.ok(!existsSync(join(dir, "evil")) && !existsSync(join(dir, "outside")));
    });
  }
  // Backslashes are separators too (patched in: makeZip itself writes "/").
  const win = makeZip({ "ok/../../win": "x" });
  for (let i = win.indexOf("ok/"); i >= 0; i = win.indexOf("ok/", i + 1)) win.write("ok\\..\\..\\win", i, "latin1");
  assert.equal(listZip(win)[0].name, "ok\\..\\..\\win");
  withDir((dir) => assert.throws(() => extractZip(win, join(dir, "out")), /escapes the target directory/));
  // A ".." that stays inside is fine.
  withDir((dir) => {
    extractZip(
      makeZip([
        { name: "a/../b.txt", data: "b" },
        { name: "a/l", symlinkTarget: "../b.txt" },
      ]),
      dir,
    );
    assert.equal(readFileSync(join(dir, "a/l"), "utf8"), "b");
  });
});

test("a symlink already in the target directory does not carry writes outside it", () => {
  withDir((dir) => {
    const out = join(dir, "out");
    extractZip(makeZip([{ name: "keep", data: "" }]), out);
    spawnSync("ln", ["-s", dir, join(out, "up")]);
    assert.throws(() => extractZip(makeZip([{ name: "up/escaped.txt", data: "x" }]), out), /outside the target directory/);
    assert.ok(!existsSync(join(dir, "escaped.txt")));
  });
});

test("truncated or garbage input, CRC mismatches and unsupported methods are ZipErrors", () => {
  const zip = makeZip({ "a.txt": "hello hello hello hello hello", "b.bin": randomBytes(64) });
  assert.throws(() => listZip(Buffer.from("definitely not a zip archive at all")), ZipError);
  assert.throws(() => listZip(Buffer.alloc(0)), ZipError);
  assert.throws(() => listZip(randomBytes(4096)), ZipError);
  assert.throws(() => listZip(zip.subarray(0, zip.length - 30)), ZipError);
  const cut = Buffer.concat([zip.subarray(0, 20), zip.subarray(zip.length - 22)]); // EOCD intact, the rest gone
  assert.throws(() => extractZip(cut, join(tmpdir(), "never")), ZipError);

  // Flip a byte of b.bin's stored data: the CRC no longer matches.
  const bad = Buffer.from(zip);
  const b = listZip(bad)[1];
  bad[b.offset + 30 + "b.bin".length] ^= 0xff;
  assert.throws(() => readZipEntry(bad, listZip(bad)[1]), /CRC-32 mismatch/);
  withDir((dir) => assert.throws(() => extractZip(bad, dir), ZipError));

  // Rewrite method 8 as 12 (bzip2) in both headers.
  const bz = Buffer.from(zip);
  const a = listZip(bz)[0];
  assert.equal(a.method, 8);
  bz.writeUInt16LE(12, a.offset + 8);
  bz.writeUInt16LE(12, bz.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
  assert.throws(() => readZipEntry(bz, listZip(bz)[0]), /unsupported compression method 12/);

  // Corrupt deflate data.
  const inflate = Buffer.from(zip);
  inflate.fill(0xff, a.offset + 30 + "a.txt".length, a.offset + 30 + "a.txt".length + a.compressedSize);
  assert.throws(() => readZipEntry(inflate, a), ZipError);
});

test("archives whose unzipped size exceeds maxBytes are refused", () => {
  const zip = makeZip({ "big.txt": Buffer.alloc(1000, "a"), "small.txt": "b" });
  assert.ok(zip.length < 300, "deflated: the limit is on unzipped bytes");
  withDir((dir) => {
    assert.throws(
      () => extractZip(zip, dir, { maxBytes: 1000 }),
      (e: Error) => e instanceof ZipError && /Unzipped size must be smaller than 1000 bytes/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(extractZip(zip, dir, { maxBytes: 1001 }).bytes, 1001);
  });
});
