// Small blobs as rows (core/blobs.ts keeps content up to its threshold here instead of in a file): one row per blob,
// keyed by the blob's id, behind a typed API (no SQL leaves this file). A rowid table with the id's index beside it,
// not WITHOUT ROWID: an index b-tree keeps at most ~1,000 bytes of a row on its leaf page, so every 1 KB object would
// spill to an overflow page of its own; a table b-tree keeps up to ~4,000.
import { registerSqliteTypedStore } from "./sqlite.js";
import { asBuffer, type Db, type Statement } from "./driver.js";
import type { Store } from "./types.js";

export interface BlobRows {
  /** Stores the content under the id (a new id). Committed when it returns, unless the caller has a transaction open. */
  put(id: string, data: Uint8Array): void;
  /** The content, or undefined when no row holds the id. */
  get(id: string): Buffer | undefined;
  /** The content's length in bytes, or undefined when no row holds the id. */
  size(id: string): number | undefined;
  /** Deletes the row; false when there was none. */
  delete(id: string): boolean;
}

/** The store's blob rows (an interface a second backend implements; SQLite's is below). */
export function blobRows(store: Store): BlobRows {
  return store.blobRows();
}

class SqliteBlobRows implements BlobRows {
  private readonly insert: Statement<[string, Uint8Array]>;
  private readonly one: Statement<[string], { data: Uint8Array }>;
  private readonly len: Statement<[string], { n: number }>;
  private readonly del: Statement<[string]>;

  constructor(db: Db) {
    this.insert = db.prepare("INSERT INTO blobs (id, data) VALUES (?, ?)");
    this.one = db.prepare("SELECT data FROM blobs WHERE id = ?");
    // length() of a BLOB is its byte count, read from the row's header without the content.
    this.len = db.prepare("SELECT length(data) AS n FROM blobs WHERE id = ?");
    this.del = db.prepare("DELETE FROM blobs WHERE id = ?");
  }

  put(id: string, data: Uint8Array): void {
    this.insert.run(id, data);
  }

  get(id: string): Buffer | undefined {
    const row = this.one.get(id);
    return row ? asBuffer(row.data) : undefined;
  }

  size(id: string): number | undefined {
    const row = this.len.get(id);
    return row ? Number(row.n) : undefined;
  }

  delete(id: string): boolean {
    return Number(this.del.run(id).changes) > 0;
  }
}

registerSqliteTypedStore("blobRows", (db) => new SqliteBlobRows(db));
