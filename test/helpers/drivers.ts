// Each SQLite driver, or why this Node cannot run it: tests for a driver it cannot run are skipped with that reason.
// STRATUS_BETTER_SQLITE3_PATH points better-sqlite3 at a build for this Node when node_modules holds another's.
import { chooseDriver, type Backend, type Driver } from "../../src/core/store/driver.js";

export const DRIVERS: { name: Backend; driver?: Driver; skip?: string }[] = (["node", "better-sqlite3"] as const).map((choice) => {
  const name: Backend = choice === "node" ? "node:sqlite" : "better-sqlite3";
  try {
    return { name, driver: chooseDriver(choice) };
  } catch (e) {
    return { name, skip: (e as Error).message };
  }
});
