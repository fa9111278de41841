// ZIP archives for tests and benchmarks: the writer is core's (src/core/zip.ts's writeZip), named as the tests
// have always called it.
export { type ZipInput, writeZip as makeZip } from "../../src/core/zip.js";
