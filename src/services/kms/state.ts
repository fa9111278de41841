// KMS records and tables (per account+region), ids and ARNs, key lookup by id/ARN/alias, and the key-state checks AWS applies.
// NOTE: key material lives in these records, base64, so the data dir holds it in the clear — fitting for a local emulator, never for real secrets.
import { randomUUID } from "node:crypto";
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import { ServiceError } from "../../core/errors.js";
import { defineState, regional, STORE, type StateHolder } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import type { KeySpec, KeyUsageType, Tag } from "./api.generated.js";
import { DisabledException, InvalidMarkerException, KMSInvalidStateException, NotFoundException } from "./api.generated.js";
import { newMaterial } from "./material.js";

/** One generation of a key's material; rotation appends, old ones stay so old ciphertexts decrypt. */
export interface MaterialRec {
  /** 64 hex characters, as AWS spells KeyMaterialId. */
  id: string;
  createdAt: number;
  /** Symmetric/HMAC: raw secret bytes. Asymmetric: PKCS#8 DER private key. Base64. */
  secret: string;
  /** Asymmetric only: SubjectPublicKeyInfo DER, base64. */
  publicKey?: string;
  rotationType?: "AUTOMATIC" | "ON_DEMAND";
}

export type KeyStateName = "Enabled" | "Disabled" | "PendingDeletion";

export interface KeyRec {
  id: string;
  createdAt: number;
  description: string;
  keyUsage: KeyUsageType;
  keySpec: KeySpec;
  keyManager: "AWS" | "CUSTOMER";
  state: KeyStateName;
  deletionDate?: number;
  pendingWindowDays?: number;
  multiRegion: boolean;
  policy: string;
  tags: Tag[];
  materials: MaterialRec[];
  rotation?: { enabled: boolean; periodDays: number; nextAt?: number; onDemandStartedAt?: number };
}

export interface AliasRec {
  name: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface GrantRec {
  grantId: string;
  keyId: string;
  token: string;
  name?: string;
  createdAt: number;
  granteePrincipal: string;
  retiringPrincipal?: string;
  issuingAccount: string;
  operations: string[];
  constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
}

export interface Tables {
  keys: Table<KeyRec>;
  aliases: Table<AliasRec>;
  /** Keyed `<keyId>/<grantId>`. */
  grants: Table<GrantRec>;
}

/** KMS's tables (stored as kms:keys, kms:aliases, kms:grants, per account and region). */
export const kmsState = defineState("kms", {
  keys: regional<KeyRec>(),
  aliases: regional<AliasRec>(),
  grants: regional<GrantRec>(),
});

export const tables = (ctx: HandlerContext): Tables => kmsState.of(ctx);

/** Runs fn atomically in the store (all of its writes commit together or none). */
import { transaction } from "../../core/state.js";
export { transaction };

export const newKeyId = (multiRegion = false) => (multiRegion ? `mrk-${randomUUID().replace(/-/g, "")}` : randomUUID());
export const keyArn = (ctx: HandlerContext, id: string) => regionalArn(ctx, "kms", `key/${id}`);
export const aliasArn = (ctx: HandlerContext, name: string) => regionalArn(ctx, "kms", name);

export const validationError = (message: string) => new ServiceError("ValidationException", message, 400);

// Key ids are UUIDs; multi-Region keys are "mrk-" and 32 hex digits.
const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):(alias\/.+)$/;

/** A hook the AWS-managed-key module installs: creates `alias/aws/<svc>` keys on first use. */
let managedKeyFactory: ((ctx: HandlerContext, alias: string) => KeyRec | undefined) | undefined;
export function setManagedKeyFactory(f: typeof managedKeyFactory): void {
  managedKeyFactory = f;
}

/** Keys past their deletion date are gone: removed (with their aliases and grants) the moment anyone looks. */
function purgeIfDue(ctx: HandlerContext, t: Tables, k: KeyRec | undefined): KeyRec | undefined {
  if (!k || k.state !== "PendingDeletion" || k.deletionDate === undefined || k.deletionDate > ctx.now()) return k;
  transaction(ctx, () => {
    t.keys.delete(k.id);
    for (const a of t.aliases.list()) if (a.value.targetKeyId === k.id) t.aliases.delete(a.key);
    for (const g of t.grants.list({ prefix: `${k.id}/` })) t.grants.delete(g.key);
  });
  return undefined;
}

/** Automatic rotation is computed from the stored next-rotation date: every period that has passed adds a material. */
function rotateIfDue(ctx: HandlerContext, t: Tables, k: KeyRec | undefined): KeyRec | undefined {
  const r = k?.rotation;
  if (!k || !r?.enabled || r.nextAt === undefined || r.nextAt > ctx.now()) return k;
  const materials = [...k.materials];
  let next = r.nextAt;
  for (; next <= ctx.now(); next += r.periodDays * 86_400_000) materials.push(newMaterial(k.keySpec, next, "AUTOMATIC"));
  const updated = { ...k, materials, rotation: { ...r, nextAt: next } };
  t.keys.put(k.id, updated);
  return updated;
}

export function getKey(ctx: HandlerContext, id: string): KeyRec | undefined {
  const t = tables(ctx);
  return rotateIfDue(ctx, t, purgeIfDue(ctx, t, t.keys.get(id)));
}

/** Every live key of this account+region, in id order (after purging expired deletions). */
export function allKeys(ctx: HandlerContext): KeyRec[] {
  const t = tables(ctx);
  return t.keys
    .list()
    .map((e) => rotateIfDue(ctx, t, purgeIfDue(ctx, t, e.value)))
    .filter((k): k is KeyRec => !!k);
}

const notFoundKey = (ctx: HandlerContext, id: string) => new NotFoundException(`Key '${keyArn(ctx, id)}' does not exist`);

/**
 * Resolves a KeyId as AWS accepts it: key id, key ARN, and (where the operation allows) alias name or alias ARN.
 * A key in another account or region is not found here: cross-account use needs policy enforcement, not built yet.
 */
export function resolveKey(ctx: HandlerContext, keyId: string, opts: { aliases?: boolean } = {}): KeyRec {
  const aliasesOk = opts.aliases ?? true;
  let m = KEY_ARN.exec(keyId);
  if (m) {
    // Another region's key ARN: "Invalid arn <region>" (LocalStack's AWS-recorded tests/aws/services/kms/test_kms.snapshot.json,
    // test_get_key_in_different_region, describe-key-diff-region-with-arn, recorded 2025-11-10).
    if (m[1] !== ctx.region) throw new NotFoundException(`Invalid arn ${m[1]}`);
    if (m[2] !== ctx.account) throw new NotFoundException(`Key '${keyId}' does not exist`);
    const k = UUID.test(m[3]) ? getKey(ctx, m[3]) : undefined;
    if (!k) throw new NotFoundException(`Key '${keyId}' does not exist`);
    return k;
  }
  let alias: string | undefined;
  m = ALIAS_ARN.exec(keyId);
  if (m) {
    if (m[1] !== ctx.region || m[2] !== ctx.account) throw new NotFoundException(`Alias '${keyId}' is not found.`);
    alias = m[3];
  } else if (keyId.startsWith("alias/")) alias = keyId;
  if (alias !== undefined) {
    if (!aliasesOk) throw new NotFoundException(`Invalid keyId '${keyId}'`);
    const a = tables(ctx).aliases.get(alias);
    const k = a ? getKey(ctx, a.targetKeyId) : managedKeyFactory?.(ctx, alias);
    if (!k) throw new NotFoundException(`Alias '${aliasArn(ctx, alias)}' is not found.`);
    return k;
  }
  if (!UUID.test(keyId)) throw new NotFoundException(`Invalid keyId '${keyId}'`);
  const k = getKey(ctx, keyId.toLowerCase());
  if (!k) throw notFoundKey(ctx, keyId);
  return k;
}

/** Cryptographic operations need an Enabled key; AWS words the refusal by state. */
export function mustBeUsable(ctx: HandlerContext, k: KeyRec): void {
  if (k.state === "Disabled") throw new DisabledException(`${keyArn(ctx, k.id)} is disabled.`);
  if (k.state === "PendingDeletion") throw new KMSInvalidStateException(`${keyArn(ctx, k.id)} is pending deletion.`);
}

/** Management operations refused while deletion is pending (tags, description, aliases, rotation…). */
export function mustNotBePendingDeletion(ctx: HandlerContext, k: KeyRec): void {
  if (k.state === "PendingDeletion") throw new KMSInvalidStateException(`${keyArn(ctx, k.id)} is pending deletion.`);
}

/** The current material is the newest one. */
export const currentMaterial = (k: KeyRec): MaterialRec => k.materials[k.materials.length - 1];

// Markers (core/paging's) are opaque to callers; inside they are the offset into a stable (key-ordered) list,
// bound to the operation that issued them.
const isOffset = (p: unknown): p is number => typeof p === "number" && Number.isSafeInteger(p) && p >= 0;

/** KMS paging: Limit (default per operation), opaque NextMarker, and Truncated. */
export function page<T>(operation: string, items: T[], marker: string | undefined, limit: number | undefined, defaultLimit: number) {
  const start = marker ? decodePageToken(operation, marker, () => new InvalidMarkerException("Invalid marker"), { valid: isOffset }) : 0;
  const n = limit ?? defaultLimit;
  const slice = items.slice(start, start + n);
  const truncated = start + n < items.length;
  return { items: slice, Truncated: truncated, ...(truncated ? { NextMarker: encodePageToken(operation, start + n) } : {}) };
}
