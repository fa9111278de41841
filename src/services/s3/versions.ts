// How writes and deletes change a key's versions under each versioning state (never, Enabled, Suspended):
// the one place that decides which version ids exist and which blobs become garbage.
import type { BlobStore } from "../../core/blobs.js";
import type { StateHolder } from "../../core/state.js";
import { newVersionId } from "./common.js";
import { objKey, transaction, type BucketRec, type ObjectRec, type Tables, type VersionRec } from "./state.js";

export interface Change {
  versionId: string;
  /** Blobs no version refers to any more: delete them once the change has committed. */
  garbage: string[];
}

/** Version id a new write gets: a fresh one while versioning is Enabled, else "null" (which replaces the old "null"). */
const nextVersionId = (b: BucketRec) => (b.versioning === "Enabled" ? newVersionId() : "null");

/** Adds `v` as the key's current version. Synchronous: call it after every await. */
export function putVersion(t: Tables, b: BucketRec, key: string, v: Omit<VersionRec, "versionId">): Change {
  const k = objKey(b.name, key);
  // Read-only here (the new record is built beside it): the frozen copy a condition check before it may have parsed.
  const obj: Readonly<ObjectRec> = t.objects.read(k) ?? { versions: [] };
  const versionId = nextVersionId(b);
  const garbage: string[] = [];
  const kept = obj.versions.filter((x) => {
    if (x.versionId !== versionId) return true;
    if (x.blob) garbage.push(x.blob);
    return false;
  });
  t.objects.put(k, { versions: [Object.assign({}, v, { versionId }), ...kept] });
  return { versionId, garbage };
}

/** A delete without a version id: removes the object (never versioned) or stacks a delete marker. */
export function deleteCurrent(t: Tables, b: BucketRec, key: string, now: number, owner: string): Change & { deleteMarker: boolean } {
  const k = objKey(b.name, key);
  const obj = t.objects.get(k);
  if (!b.versioning) {
    const garbage = (obj?.versions ?? []).flatMap((x) => (x.blob ? [x.blob] : []));
    if (obj) t.objects.delete(k);
    return { versionId: "null", garbage, deleteMarker: false };
  }
  const c = putVersion(t, b, key, { deleteMarker: true, lastModified: now, owner, size: 0, etag: "" });
  return { ...c, deleteMarker: true };
}

/** Permanently removes one version; the next newest becomes current. */
export function deleteVersion(t: Tables, b: BucketRec, key: string, versionId: string): Change & { removed?: VersionRec } {
  const k = objKey(b.name, key);
  const obj = t.objects.get(k);
  const removed = obj?.versions.find((x) => x.versionId === versionId);
  if (!obj || !removed) return { versionId, garbage: [] };
  const rest = obj.versions.filter((x) => x !== removed);
  if (rest.length) t.objects.put(k, { versions: rest });
  else t.objects.delete(k);
  return { versionId, garbage: removed.blob ? [removed.blob] : [], removed };
}

/**
 * Runs a state change atomically with the deletion of the blob rows it orphaned (one commit, not one more per row),
 * then deletes the orphaned blob files.
 */
export function commit<R extends { garbage: string[] }>(holder: StateHolder, blobs: BlobStore, fn: () => R): R {
  let files: string[] = [];
  const r = transaction(holder, () => {
    const done = fn();
    files = blobs.deleteRows(done.garbage);
    return done;
  });
  for (const id of files) blobs.delete(id);
  return r;
}
