// A service's typed state, declared once: its tables, each scoped the way AWS scopes the resource (global, per
// account, per account and region), reached from a handler for the caller's account and region (`.of(ctx)`), for
// any account and region (`.at(…)`), and across every scope that holds records (`.all(…)`) for the loops that
// resume work after a restart or sweep expired records. Nothing else builds scope strings or namespaces.
//
//   export const lambdaState = defineState("lambda", { functions: regional<FunctionRec>(), urlIndex: global<UrlIndexRec>() });
//   lambdaState.of(ctx).functions.get(name);
//   for (const { account, region, tables } of lambdaState.all(host, "asyncEvents")) …
import type { Store, Table } from "./store/types.js";

export type ScopeKind = "global" | "account" | "region";

export interface TableSpec<T> {
  readonly scope: ScopeKind;
  /** Carries the record type; never set. */
  readonly record?: T;
  /** The table's stored name, when it differs from its key in the definition (names already on disk). */
  readonly name?: string;
}

/** A table per account and region (most AWS resources). */
export const regional = <T>(name?: string): TableSpec<T> => ({ scope: "region", name });
/** A table per account (IAM's users and roles, S3's bucket names per owner). */
export const perAccount = <T>(name?: string): TableSpec<T> => ({ scope: "account", name });
/** One table for the whole server (indexes across accounts: access keys, function URL ids). */
export const global = <T>(name?: string): TableSpec<T> => ({ scope: "global", name });

type Specs = Record<string, TableSpec<unknown>>;
export type TablesOf<S extends Specs> = { readonly [K in keyof S]: S[K] extends TableSpec<infer T> ? Table<T> : never };

/** Whatever holds the store: the service host (background work) or a handler context, which does not show it. */
export interface StateHolder {
  readonly [STORE]: Store;
}

/** The key under which a handler context and the service host carry the store, out of a handler's sight. */
export const STORE: unique symbol = Symbol("stratus.store");

/** Where a handler's call runs: its account and region. */
export interface Located extends StateHolder {
  readonly account: string;
  readonly region: string;
}

export interface ScopedTables<S extends Specs> {
  account: string;
  /** Empty for per-account tables. */
  region: string;
  tables: TablesOf<S>;
}

export interface StateDef<S extends Specs> {
  readonly service: string;
  /** The caller's tables: its account and region. */
  of(ctx: Located): TablesOf<S>;
  /** The tables of another account (and region): cross-account lookups, background work for a stored record. */
  at(holder: StateHolder, account: string, region?: string): TablesOf<S>;
  /** Every account (and region) holding records in `table`, with its tables: resume loops and sweeps. */
  all(holder: StateHolder, table: keyof S & string): ScopedTables<S>[];
  /** The namespace `table` is stored under (`<service>:<name>`), for what reads the store by name. */
  namespace(table: keyof S & string): string;
}

export function defineState<S extends Specs>(service: string, specs: S): StateDef<S> {
  const ns = (key: string) => `${service}:${specs[key].name ?? key}`;
  const scopeOf = (kind: ScopeKind, account: string, region: string) => (kind === "global" ? "" : kind === "account" ? account : `${account}/${region}`);
  // Per store and scope, one object of tables (each made on first use: most calls touch one or two).
  const built = new WeakMap<Store, Map<string, TablesOf<S>>>();
  const build = (store: Store, account: string, region: string): TablesOf<S> => {
    let byScope = built.get(store);
    if (!byScope) built.set(store, (byScope = new Map()));
    const id = `${account}/${region}`;
    let tables = byScope.get(id);
    if (!tables) {
      const t = {} as Record<string, Table<unknown>>;
      for (const key of Object.keys(specs)) {
        const scope = scopeOf(specs[key].scope, account, region);
        Object.defineProperty(t, key, { enumerable: true, get: () => store.table(ns(key), scope) });
      }
      tables = t as TablesOf<S>;
      byScope.set(id, tables);
    }
    return tables;
  };
  return {
    service,
    of: (ctx) => build(ctx[STORE], ctx.account, ctx.region),
    at: (holder, account, region = "") => build(holder[STORE], account, region),
    all(holder, table) {
      const store = holder[STORE];
      return store.scopes(ns(table)).map((scope) => {
        const [account, region = ""] = scope.split("/");
        return { account, region, tables: build(store, account, region) };
      });
    },
    namespace: (table) => ns(table),
  };
}

/** Runs `fn` atomically over the holder's store: all of its writes commit together or not at all. */
export const transaction = <R>(holder: StateHolder, fn: () => R): R => holder[STORE].transaction(fn);

/** A bare store as a holder, for code the store is handed to directly (a credential source). */
export const holderOf = (store: Store): StateHolder => ({ [STORE]: store });
