// Numeric ranges of many rules on one field, found by value: a centered interval tree (each node keeps the
// ranges that contain its center, sorted by lower bound and by upper bound; the others go left or right), rebuilt
// after a change on the next query. A query costs O(log n + matches).
import { inRange } from "./event-pattern-compile.js";

export interface NumericRange {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

interface Entry {
  id: number;
  r: NumericRange;
}

interface Node {
  center: number;
  byLo: Entry[];
  byHi: Entry[];
  left: Node | undefined;
  right: Node | undefined;
}

function build(entries: Entry[]): Node | undefined {
  if (!entries.length) return undefined;
  const ends = entries
    .flatMap(({ r }) => [r.lo, r.hi])
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const center = ends.length ? ends[ends.length >> 1] : 0;
  const here: Entry[] = [];
  const left: Entry[] = [];
  const right: Entry[] = [];
  for (const e of entries) (e.r.hi < center ? left : e.r.lo > center ? right : here).push(e);
  return {
    center,
    byLo: [...here].sort((a, b) => a.r.lo - b.r.lo),
    byHi: here.sort((a, b) => b.r.hi - a.r.hi),
    left: build(left),
    right: build(right),
  };
}

export class RangeIndex {
  private readonly entries = new Set<Entry>();
  private root: Node | undefined;
  private dirty = false;

  /** Files `r` for `id` (an id may have several ranges); returns what remove() takes. */
  add(id: number, r: NumericRange): object {
    const entry = { id, r };
    this.entries.add(entry);
    this.dirty = true;
    return entry;
  }

  remove(entry: object): void {
    this.entries.delete(entry as Entry);
    this.dirty = true;
  }

  query(v: number, hit: (id: number) => void): void {
    if (!this.entries.size) return;
    if (this.dirty) {
      this.root = build([...this.entries]);
      this.dirty = false;
    }
    let node = this.root;
    while (node) {
      if (v <= node.center) {
        for (const e of node.byLo) {
          if (e.r.lo > v) break;
          if (inRange(v, e.r)) hit(e.id);
        }
        // At the center itself, ranges that go right of it were all seen above.
        node = v < node.center ? node.left : undefined;
      } else {
        for (const e of node.byHi) {
          if (e.r.hi < v) break;
          if (inRange(v, e.r)) hit(e.id);
        }
        node = node.right;
      }
    }
  }
}
