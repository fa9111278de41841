// Temporary credentials: ASIA key ids, secrets and session tokens, the global session table, and the
// credential source the gateway uses to recognise them on later calls.
import { nodeCrypto } from "../../core/lazy.js";
import type { HandlerContext } from "../../core/context.js";
import type { CredentialRecord, CredentialSource, Principal } from "../../core/identity.js";
import { defineState, global, perAccount, STORE, type StateHolder } from "../../core/state.js";
import type { Store, Table } from "../../core/store/types.js";
import { ServiceError } from "../../core/errors.js";

/** How a session was issued; decides what it may do next (role chaining, GetSessionToken refusal). */
export type SessionKind = "AssumeRole" | "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML" | "GetSessionToken" | "GetFederationToken";

export interface SessionTag {
  key: string;
  value: string;
}

/** One issued set of temporary credentials, stored as plain JSON keyed by its access key id. */
export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiration: number;
  /** Epoch ms. */
  createdAt: number;
  kind: SessionKind;
  principal: Principal;
  /** Epoch ms of the MFA check that backed this session, if any (aws:MultiFactorAuthAge). */
  mfaAuthenticatedAt?: number;
  sourceIdentity?: string;
  tags?: SessionTag[];
  /** Tag keys that pass on to sessions this one assumes (role chaining). */
  transitiveTagKeys?: string[];
  policy?: string;
  policyArns?: string[];
}

interface UsedCode {
  /** The last TOTP time step accepted for this device. */
  step: number;
}

/**
 * STS's tables. Sessions live in the global scope (sts:sessions): a key id is unique across accounts, and the
 * gateway looks it up before it knows the account. One-time MFA codes already accepted, per account
 * (sts:mfa-used-codes, keyed by device serial number).
 */
export const stsState = defineState("sts", {
  sessions: global<SessionRecord>(),
  mfaUsedCodes: perAccount<UsedCode>("mfa-used-codes"),
});

export const sessions = (ctx: HandlerContext): Table<SessionRecord> => stsState.of(ctx).sessions;
// The credential resolver hands sources the store itself.
const sessionsIn = (store: Store): Table<SessionRecord> => stsState.at({ [STORE]: store }, "").sessions;

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomKeyChars(n: number): string {
  const bytes = nodeCrypto().randomBytes(n);
  let out = "";
  for (const b of bytes) out += KEY_ALPHABET[b & 31];
  return out;
}

/** A temporary access key id: ASIA + 16 Base32 characters, 20 in all, as AWS issues them. */
export const newTemporaryAccessKeyId = (): string => `ASIA${randomKeyChars(16)}`;

/** 40 characters of base64, the shape of an AWS secret access key. */
export const newSecretAccessKey = (): string => nodeCrypto().randomBytes(30).toString("base64");

// AWS session tokens are long opaque base64 blobs; SDKs only pass them back, so random bytes after
// the prefix real v4 tokens share are enough.
export const newSessionToken = (): string => `IQoJb3JpZ2luX2VjE${nodeCrypto().randomBytes(384).toString("base64")}`;

export interface IssueOptions extends Omit<SessionRecord, "accessKeyId" | "secretAccessKey" | "sessionToken" | "expiration" | "createdAt" | "principal"> {
  principal: Omit<Principal, "accessKeyId">;
  durationSeconds: number;
}

/** Creates and stores a session; returns the record (committed with the request). */
export function issueSession(ctx: HandlerContext, opts: IssueOptions): SessionRecord {
  const now = ctx.now();
  const table = sessions(ctx);
  let accessKeyId = newTemporaryAccessKeyId();
  while (table.has(accessKeyId)) accessKeyId = newTemporaryAccessKeyId();
  const { durationSeconds, principal, ...rest } = opts;
  const record: SessionRecord = {
    ...rest,
    accessKeyId,
    secretAccessKey: newSecretAccessKey(),
    sessionToken: newSessionToken(),
    createdAt: now,
    // AWS reports expirations to the second.
    expiration: Math.floor((now + durationSeconds * 1000) / 1000) * 1000,
    principal: { ...principal, accessKeyId },
  };
  table.put(accessKeyId, record);
  return record;
}

/** The Credentials structure every STS operation returns. */
export function credentialsOf(s: SessionRecord) {
  return { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiration) };
}

/** The caller's own session, when it signs with temporary credentials Stratus issued. */
export function callerSession(ctx: HandlerContext): SessionRecord | undefined {
  const akid = ctx.principal.accessKeyId;
  if (!akid || !ctx.principal.session) return undefined;
  return sessions(ctx).get(akid);
}

/** Whether the caller signs with temporary credentials (any session, however issued). */
export const usesSessionCredentials = (ctx: HandlerContext): boolean => ctx.principal.session !== undefined;

export const credentialSource: CredentialSource = (accessKeyId: string, store: Store): CredentialRecord | undefined => {
  if (!accessKeyId.startsWith("ASIA")) return undefined;
  const s = sessionsIn(store).get(accessKeyId);
  if (!s) return undefined;
  return { accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiration, status: "Active", principal: s.principal };
};

// Expired sessions stay a day so a late caller still gets ExpiredToken rather than an unknown key.
const KEEP_EXPIRED_MS = 24 * 3600_000;

/** Deletes sessions that expired more than a day ago; returns how many. */
export function sweepExpiredSessions(host: StateHolder, now: number): number {
  const table = stsState.at(host, "").sessions;
  let removed = 0;
  host[STORE].transaction(() => {
    for (const { key, value } of table.list()) {
      if (value.expiration + KEEP_EXPIRED_MS < now && table.delete(key)) removed++;
    }
  });
  return removed;
}

export const accessDenied = (message: string) => new ServiceError("AccessDenied", message, 403);
export const validationError = (message: string) => new ServiceError("ValidationError", message, 400);
