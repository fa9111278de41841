// CRC-64/NVME (core/crc.ts): the catalogue's check value, and the same state whatever the chunking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { crc64nvme } from "../../src/core/crc.js";

const hex = ([hi, lo]: [number, number]) => hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");

test("CRC-64/NVME: check value of 123456789, empty input, chunked updates", () => {
  // The CRC catalogue's check value for CRC-64/NVME (reveng.sourceforge.io/crc-catalogue: check=0xae8b14860a799888).
  assert.equal(hex(crc64nvme(Buffer.from("123456789"))), "ae8b14860a799888");
  assert.equal(hex(crc64nvme(Buffer.alloc(0))), "0000000000000000");
  const data = randomBytes(1000);
  const whole = hex(crc64nvme(data));
  for (const cut of [1, 7, 8, 9, 500, 999]) {
    assert.equal(hex(crc64nvme(data.subarray(cut), crc64nvme(data.subarray(0, cut)))), whole, `cut at ${cut}`);
  }
});
