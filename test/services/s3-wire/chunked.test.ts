// The CRCs against their check vectors, and the aws-chunked decoder against hand-built streams: split at every
// byte boundary, signed chunks chained from a seed, trailing checksums with their signature.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { crc32, crc32c, crc64nvme, crc32Checksummer, crc32cChecksummer, crc64nvmeChecksummer } from "../../../src/core/crc.js";
import { ChunkDecoder, type ChunkSigning } from "../../../src/core/auth/chunked.js";
import { signingKey } from "../../../src/core/auth/sigv4-verify.js";

const CHECK = Buffer.from("123456789");

test("CRC32, CRC32C and CRC64NVME match their check values, incrementally too", () => {
  assert.equal(crc32(CHECK), 0xcbf43926);
  assert.equal(crc32c(CHECK), 0xe3069283);
  assert.deepEqual(crc64nvme(CHECK), [0xae8b1486, 0x0a799888]);
  assert.equal(crc32c(CHECK.subarray(5), crc32c(CHECK.subarray(0, 5))), 0xe3069283);
  assert.deepEqual(crc64nvme(CHECK.subarray(2), crc64nvme(CHECK.subarray(0, 2))), [0xae8b1486, 0x0a799888]);
  // Slice-by-8 and the byte loop agree on lengths that are not multiples of 8.
  const big = Buffer.from(Array.from({ length: 1003 }, (_, i) => (i * 31) & 0xff));
  let c = 0;
  for (const b of big) c = crc32c(Buffer.from([b]), c);
  assert.equal(crc32c(big), c);
  // S3's base64 forms: CRC32 of "" is AAAAAA==; of "hello world" DUoRhQ==.
  const h = crc32Checksummer();
  h.update(Buffer.from("hello world"));
  assert.equal(h.digest(), "DUoRhQ==");
  const c2 = crc32cChecksummer();
  c2.update(Buffer.from("hello world"));
  assert.equal(c2.digest(), "yZRlqg==");
  const c3 = crc64nvmeChecksummer();
  c3.update(CHECK);
  assert.equal(c3.digest(), Buffer.from("ae8b14860a799888", "hex").toString("base64"));
});

async function decode(wire: Buffer, opts: ConstructorParameters<typeof ChunkDecoder>[0] = {}, split = 0): Promise<Buffer> {
  const d = new ChunkDecoder(opts);
  const out: Buffer[] = [];
  d.on("data", (c: Buffer) => out.push(c));
  const done = new Promise<void>((ok, fail) => {
    d.on("end", ok);
    d.on("error", fail);
  });
  if (split > 0) for (let i = 0; i < wire.length; i += split) d.write(wire.subarray(i, i + split));
  else d.write(wire);
  d.end();
  await done;
  return Buffer.concat(out);
}

const content = Buffer.from("The quick brown fox jumps over the lazy dog\r\n0\r\n--not framing--");

function unsignedWire(data: Buffer, chunk: number, trailer = ""): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) {
    const c = data.subarray(i, i + chunk);
    parts.push(Buffer.from(c.length.toString(16) + "\r\n"), c, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n" + trailer + "\r\n"));
  return Buffer.concat(parts);
}

test("unsigned aws-chunked with a trailer decodes at every split point and hands over the trailer", async () => {
  const sum = crc32Checksummer();
  sum.update(content);
  const wire = unsignedWire(content, 17, `x-amz-checksum-crc32:${sum.digest()}\r\n`);
  for (const split of [0, 1, 2, 3, 5, 7, 64]) {
    let trailers: Record<string, string> | undefined;
    const out = await decode(wire, { decodedLength: content.length, onTrailers: (t) => (trailers = t) }, split);
    assert.deepEqual(out, content, `split ${split}`);
    assert.deepEqual(trailers, { "x-amz-checksum-crc32": sum.digest() });
  }
});

test("a truncated stream or a wrong decoded length is IncompleteBody; bad framing InvalidRequest", async () => {
  const wire = unsignedWire(content, 10);
  await assert.rejects(decode(wire.subarray(0, wire.length - 5)), { code: "IncompleteBody" });
  await assert.rejects(decode(wire, { decodedLength: content.length + 1 }), { code: "IncompleteBody" });
  await assert.rejects(decode(Buffer.from("zz\r\nabc\r\n0\r\n\r\n")), { code: "InvalidRequest" });
  await assert.rejects(decode(Buffer.from("3\r\nabcX\r\n0\r\n\r\n")), { code: "InvalidRequest" });
});

const EMPTY = createHash("sha256").update("").digest("hex");
function signedWire(data: Buffer, chunk: number, s: ChunkSigning, trailer?: string): Buffer {
  const parts: Buffer[] = [];
  let prev = s.seed;
  const sign = (c: Buffer) => {
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${s.date}\n${s.scope}\n${prev}\n${EMPTY}\n${createHash("sha256").update(c).digest("hex")}`;
    prev = createHmac("sha256", s.key).update(sts).digest("hex");
    return prev;
  };
  for (let i = 0; i < data.length; i += chunk) {
    const c = data.subarray(i, i + chunk);
    parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sign(c)}\r\n`), c, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0;chunk-signature=${sign(Buffer.alloc(0))}\r\n`));
  if (trailer) {
    const sts = `AWS4-HMAC-SHA256-TRAILER\n${s.date}\n${s.scope}\n${prev}\n${createHash("sha256")
      .update(trailer + "\n")
      .digest("hex")}`;
    const tsig = createHmac("sha256", s.key).update(sts).digest("hex");
    parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${tsig}\r\n`));
  }
  parts.push(Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

const signing: ChunkSigning = {
  key: signingKey("test", "20260101", "us-east-1", "s3"),
  date: "20260101T000000Z",
  scope: "20260101/us-east-1/s3/aws4_request",
  seed: "a".repeat(64),
};

test("signed chunks verify chained from the seed; a tampered chunk or trailer is SignatureDoesNotMatch", async () => {
  const wire = signedWire(content, 8, signing);
  assert.deepEqual(await decode(wire, { signing }, 3), content);
  const withTrailer = signedWire(content, 8, signing, "x-amz-checksum-crc32c:yZRlqg==");
  let trailers: Record<string, string> | undefined;
  await decode(withTrailer, { signing, onTrailers: (t) => (trailers = t) }, 11);
  assert.deepEqual(trailers, { "x-amz-checksum-crc32c": "yZRlqg==" });

  const tampered = Buffer.from(wire);
  tampered[wire.indexOf("fox")] = "Q".charCodeAt(0);
  await assert.rejects(decode(tampered, { signing }), { code: "SignatureDoesNotMatch" });
  await assert.rejects(decode(wire, { signing: { ...signing, seed: "b".repeat(64) } }), { code: "SignatureDoesNotMatch" });
  const badTrailer = Buffer.from(withTrailer.toString("latin1").replace("yZRlqg==", "AAAAAA=="), "latin1");
  await assert.rejects(decode(badTrailer, { signing }), { code: "SignatureDoesNotMatch" });
  // An unsigned chunk where signatures are required.
  await assert.rejects(decode(unsignedWire(content, 8), { signing }), { code: "SignatureDoesNotMatch" });
});
