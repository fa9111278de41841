// Many patterns against one event: the rules of an EventBridge bus, compiled into one structure whose cost per
// event follows the event's fields and the rules that match, not the number of rules (event-ruler's idea: the
// machine is keyed by field name and then by value). For each field name the rules test, an index files every
// rule by its operator: exact values in a hash map (strings, IP addresses, numbers by their double, literals),
// prefixes and suffixes in maps by text probed once per distinct length (case-folded ones apart),
// equals-ignore-case by the lowercased text, numeric ranges in an interval tree; the rare operators (anything-but,
// wildcard, cidr) are tested value by value, for the rules that use them only. Like event-ruler's machine, which
// only goes on to a rule's next field once its first matched, each alternative (one `$or` branch) is filed under
// one condition only, its most selective (an exact value shared by the fewest rules, else an indexed operator,
// else a scanned one) — or, when its two most selective conditions are both exact values, under that pair, so a
// hit needs both fields to match (source and detail-type, typically) —: an event's hits make candidates, whose
// other conditions are then tested on the event's values, so the cost follows the rules an event could match. When an alternative tests `exists: false`
// or the event has arrays of objects, the single-pattern check (matchAlternative) decides, so the answer is always
// the one `EventPattern.matches` gives for each rule on its own. Rules are added and removed one at a time.
import { valueKey } from "./event-pattern-compile.js";
import { type EventPattern, type FlatValue, flattenEvent, matchAlternative, usedNames } from "./event-pattern.js";
import type { Condition, Scalar } from "./event-pattern-types.js";
import { RangeIndex } from "./event-pattern-ranges.js";

export interface RuleSet<Id> {
  /** Adds a rule (replacing one with the same id). */
  add(id: Id, pattern: EventPattern): void;
  /** Removes a rule; false when there was none. */
  remove(id: Id): boolean;
  /** The ids of the rules the JSON event matches. */
  matches(event: unknown): Id[];
  readonly size: number;
}

/** A condition's filing: the postings it is in and, to drop an emptied list, the map and key holding them. */
type Filing = [postings: number[], condId: number, map?: Map<string, number[]>, key?: string];

/** Exact keys of an alternative's two most selective conditions: first → second field → second key → ids. */
type PairIndex = Map<string, Map<string, Map<string, number[]>>>;

class AffixIndex {
  readonly byText = new Map<string, number[]>();
  private readonly lengths = new Map<number, number>();
  sorted: number[] = [];

  add(text: string, condId: number, filings: Filing[]): void {
    filings.push([push(this.byText, text, condId), condId]);
    this.lengths.set(text.length, (this.lengths.get(text.length) ?? 0) + 1);
    this.sorted = [...this.lengths.keys()].sort((a, b) => a - b);
  }

  forget(text: string): void {
    const n = (this.lengths.get(text.length) ?? 1) - 1;
    if (n) this.lengths.set(text.length, n);
    else this.lengths.delete(text.length);
    this.sorted = [...this.lengths.keys()].sort((a, b) => a - b);
    if (!this.byText.get(text)?.length) this.byText.delete(text);
  }

  probe(value: string, suffix: boolean, hit: (condId: number) => void): void {
    for (const len of this.sorted) {
      if (len > value.length) return;
      const ids = this.byText.get(suffix ? value.slice(value.length - len) : value.slice(0, len));
      if (ids) for (const id of ids) hit(id);
    }
  }
}

class FieldIndex {
  readonly exact = new Map<string, number[]>();
  readonly pairs: PairIndex = new Map();
  readonly eic = new Map<string, number[]>();
  readonly prefix = new AffixIndex();
  readonly suffix = new AffixIndex();
  readonly foldPrefix = new AffixIndex();
  readonly foldSuffix = new AffixIndex();
  readonly ranges = new RangeIndex();
  readonly exists: number[] = [];
  readonly scan: { condId: number; test: (v: Scalar) => boolean }[] = [];
  folds = 0;
  users = 0;
}

function push(map: Map<string, number[]>, key: string, id: number): number[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(id);
  return list;
}

function drop(list: number[], id: number): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}

interface Sub {
  rule: number;
  alt: readonly Condition[];
  /** The conditions to test once the filed one hit, most selective first: field names and value checks. */
  rest: readonly (readonly [string, (values: readonly FlatValue[]) => boolean])[];
  /** Whether a condition is satisfied by absence, which only the full check sees. */
  verify: boolean;
}

interface Rule<Id> {
  id: Id;
  subs: number[];
  undo: (() => void)[];
}

/** Ranks below this are conditions of exact values only. */
const EXACT_RANK = 1e9;

/** The exact keys of a condition of exact values only. */
const exactKeys = (cond: Condition): string[] => cond.tests.map((t) => ((t as { index: { key: string } }).index as { key: string }).key);

/** How selective a condition is as the one an alternative is filed under: lower is better. */
function rank(cond: Condition, fields: ReadonlyMap<string, FieldIndex>): number {
  const tests = cond.tests;
  if (tests.every((t) => "test" in t && t.index?.kind === "exact")) {
    const f = fields.get(cond.name);
    let shared = 0;
    for (const t of tests) shared += f?.exact.get((t as { index: { key: string } }).index.key)?.length ?? 0;
    return shared;
  }
  if (tests.every((t) => ("test" in t && t.index) || ("exists" in t && t.exists))) return EXACT_RANK + (tests.some((t) => "exists" in t) ? 1e6 : 0);
  return 2 * EXACT_RANK;
}

/** Compiles rules into one matcher; add and remove rules afterwards as they change. */
export function compileRules<Id>(rules: Iterable<{ id: Id; pattern: EventPattern }> = []): RuleSet<Id> {
  const fields = new Map<string, FieldIndex>();
  const used = new Map<string, number>();
  const ruleByKey = new Map<Id, number>();
  const ruleList: (Rule<Id> | undefined)[] = [];
  const subs: (Sub | undefined)[] = [];
  const subGen: number[] = [];
  const ruleGen: number[] = [];
  /** Alternatives with no condition a value satisfies (only `exists: false`): checked on every event. */
  const always = new Set<number>();
  let gen = 0;

  const use = (names: Iterable<string>, delta: number) => {
    for (const n of names) {
      const c = (used.get(n) ?? 0) + delta;
      if (c > 0) used.set(n, c);
      else used.delete(n);
    }
  };

  /** Files an alternative whose two most selective conditions are exact values under both (event-ruler's
   *  machine likewise only reaches a rule's second field through its first): a hit needs both. */
  function filePair(first: Condition, second: Condition, subId: number, undo: (() => void)[]): void {
    let f = fields.get(first.name);
    if (!f) fields.set(first.name, (f = new FieldIndex()));
    const idx = f;
    idx.users++;
    const filings: Filing[] = [];
    for (const a of exactKeys(first))
      for (const b of exactKeys(second)) {
        let byField = idx.pairs.get(a);
        if (!byField) idx.pairs.set(a, (byField = new Map()));
        let byKey = byField.get(second.name);
        if (!byKey) byField.set(second.name, (byKey = new Map()));
        filings.push([push(byKey, b, subId), subId, byKey, b]);
      }
    undo.push(() => {
      for (const [list, id, byKey, b] of filings) {
        drop(list, id);
        if (!list.length) byKey?.delete(b as string);
      }
      for (const a of exactKeys(first)) {
        const byField = idx.pairs.get(a);
        if (byField?.get(second.name)?.size === 0) byField.delete(second.name);
        if (byField?.size === 0) idx.pairs.delete(a);
      }
      if (--idx.users === 0) fields.delete(first.name);
    });
  }

  function fileCondition(cond: Condition, condId: number, undo: (() => void)[]): void {
    let idx = fields.get(cond.name);
    if (!idx) fields.set(cond.name, (idx = new FieldIndex()));
    const f = idx;
    f.users++;
    const filings: Filing[] = [];
    for (const t of cond.tests) {
      if ("exists" in t) {
        if (t.exists) {
          f.exists.push(condId);
          filings.push([f.exists, condId]);
        }
        continue;
      }
      const key = t.index;
      if (!key) {
        const entry = { condId, test: t.test };
        f.scan.push(entry);
        undo.push(() => f.scan.splice(f.scan.indexOf(entry), 1));
      } else if (key.kind === "exact") filings.push([push(f.exact, key.key, condId), condId, f.exact, key.key]);
      else if (key.kind === "eic") filings.push([push(f.eic, key.value, condId), condId, f.eic, key.value]);
      else if (key.kind === "range") {
        const entry = f.ranges.add(condId, key);
        undo.push(() => f.ranges.remove(entry));
      } else {
        const affix = key.kind === "prefix" ? (key.fold ? f.foldPrefix : f.prefix) : key.fold ? f.foldSuffix : f.suffix;
        affix.add(key.value, condId, filings);
        undo.push(() => affix.forget(key.value));
      }
      if (key?.kind === "eic" || (key && "fold" in key && key.fold)) {
        f.folds++;
        undo.push(() => f.folds--);
      }
    }
    undo.push(() => {
      for (const [list, id, map, key] of filings) {
        drop(list, id);
        if (!list.length && map && map.get(key as string) === list) map.delete(key as string);
      }
      if (--f.users === 0) fields.delete(cond.name);
    });
  }

  function add(id: Id, pattern: EventPattern): void {
    remove(id);
    const ruleIdx = ruleList.length;
    const rule: Rule<Id> = { id, subs: [], undo: [] };
    ruleList.push(rule);
    ruleByKey.set(id, ruleIdx);
    const names = usedNames(pattern.alternatives.flat());
    use(names, 1);
    rule.undo.push(() => use(names, -1));
    for (const alt of pattern.alternatives) {
      const subId = subs.length;
      const positive = alt.filter((c) => !c.tests.some((t) => "exists" in t && !t.exists));
      const ranked = positive.map((c) => [rank(c, fields), c] as const).sort((x, y) => x[0] - y[0]);
      const key = ranked[0]?.[1];
      subs.push({ rule: ruleIdx, alt, rest: ranked.slice(1).map(([, c]) => [c.name, valueCheck(c)] as const), verify: positive.length < alt.length });
      subGen.push(0);
      rule.subs.push(subId);
      const second = ranked[1];
      if (key && ranked[0][0] < EXACT_RANK && second && second[0] < EXACT_RANK) filePair(key, second[1], subId, rule.undo);
      else if (key) fileCondition(key, subId, rule.undo);
      else always.add(subId);
    }
    ruleGen.push(0);
  }

  function remove(id: Id): boolean {
    const ruleIdx = ruleByKey.get(id);
    if (ruleIdx === undefined) return false;
    const rule = ruleList[ruleIdx] as Rule<Id>;
    for (const u of rule.undo.reverse()) u();
    for (const s of rule.subs) {
      subs[s] = undefined;
      always.delete(s);
    }
    ruleList[ruleIdx] = undefined;
    ruleByKey.delete(id);
    return true;
  }

  function matches(event: unknown): Id[] {
    gen++;
    const flat = flattenEvent(event, used);
    const candidates: number[] = [];
    const hit = (subId: number) => {
      if (subGen[subId] === gen) return;
      subGen[subId] = gen;
      candidates.push(subId);
    };
    let arrays = false;
    for (const [name, values] of flat) {
      const f = fields.get(name);
      if (!f) continue;
      for (const id of f.exists) hit(id);
      for (const fv of values) {
        if (fv.m) arrays = true;
        probe(f, fv, hit, flat);
      }
    }
    for (const s of always) candidates.push(s);
    const out: Id[] = [];
    for (const s of candidates) {
      const sub = subs[s] as Sub;
      if (ruleGen[sub.rule] === gen || !holds(sub.rest, flat)) continue;
      if ((sub.verify || arrays) && !matchAlternative(sub.alt, flat)) continue;
      ruleGen[sub.rule] = gen;
      out.push((ruleList[sub.rule] as Rule<Id>).id);
    }
    return out;
  }

  for (const { id, pattern } of rules) add(id, pattern);
  return {
    add,
    remove,
    matches,
    get size() {
      return ruleByKey.size;
    },
  };
}

/** Each condition has a value that passes one of its tests (array elements not considered). */
function holds(conds: Sub["rest"], flat: ReadonlyMap<string, readonly FlatValue[]>): boolean {
  for (const [name, check] of conds) {
    const values = flat.get(name);
    if (!values || !check(values)) return false;
  }
  return true;
}

/** A condition without `exists: false` as one check over a field's values. */
function valueCheck(cond: Condition): (values: readonly FlatValue[]) => boolean {
  if (cond.tests.some((t) => "exists" in t && t.exists)) return () => true;
  const preds = cond.tests.flatMap((t) => ("test" in t ? [t.test] : []));
  if (preds.length === 1) {
    const p = preds[0];
    return (values) => {
      for (let i = 0; i < values.length; i++) if (p(values[i].v)) return true;
      return false;
    };
  }
  return (values) => {
    for (let i = 0; i < values.length; i++) for (const p of preds) if (p(values[i].v)) return true;
    return false;
  };
}

/** Calls `each` with the exact keys a value is equal under: its key, and an IP address string as written too. */
function valueKeys(v: Scalar, each: (key: string) => void): void {
  const key = valueKey(v);
  each(key);
  if (typeof v === "string" && key.charCodeAt(0) === 0x69 /* ip: */) each(`s:${v}`);
}

function probe(f: FieldIndex, { v }: FlatValue, hit: (id: number) => void, flat: ReadonlyMap<string, readonly FlatValue[]>): void {
  valueKeys(v, (key) => {
    const exact = f.exact.get(key);
    if (exact) for (const id of exact) hit(id);
    const pairs = f.pairs.get(key);
    if (pairs)
      for (const [name, byKey] of pairs) {
        const values = flat.get(name);
        if (values)
          for (const other of values)
            valueKeys(other.v, (k) => {
              const ids = byKey.get(k);
              if (ids) for (const id of ids) hit(id);
            });
      }
  });
  if (typeof v === "string") {
    f.prefix.probe(v, false, hit);
    f.suffix.probe(v, true, hit);
    if (f.folds) {
      const lower = v.toLowerCase();
      const eic = f.eic.get(lower);
      if (eic) for (const id of eic) hit(id);
      f.foldPrefix.probe(lower, false, hit);
      f.foldSuffix.probe(lower, true, hit);
    }
  } else if (typeof v === "number") f.ranges.query(v, hit);
  for (const { condId, test } of f.scan) if (test(v)) hit(condId);
}
