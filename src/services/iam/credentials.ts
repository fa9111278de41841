// IAM access keys as a credential source: which account and user a key belongs to, and its last use.
// Kept apart from the IAM handlers so authenticating a request does not load the whole service.
import type { CredentialRecord, CredentialSource } from "../../core/identity.js";
import type { Store } from "../../core/store/types.js";
import { k, tablesFor, userArn } from "./state.js";

const USAGE_WRITE_INTERVAL_MS = 60_000;

// Last-use writes are throttled in memory so signing a request stays a read, not a write, on the hot path.
const lastWritten = new Map<string, number>();

function markUsed(store: Store, accessKeyId: string, service: string, region: string, now: number): void {
  const prev = lastWritten.get(accessKeyId);
  if (prev !== undefined && now - prev < USAGE_WRITE_INTERVAL_MS) return;
  lastWritten.set(accessKeyId, now);
  tablesFor(store, "").accessKeyUsage.put(accessKeyId, { date: now, service, region });
}

export const iamCredentialSource: CredentialSource = (accessKeyId, store): CredentialRecord | undefined => {
  if (!accessKeyId.startsWith("AKIA")) return undefined;
  const idx = tablesFor(store, "").accessKeyIndex.get(accessKeyId);
  if (!idx) return undefined;
  const t = tablesFor(store, idx.account);
  const key = t.accessKeys.get(k(idx.user, accessKeyId));
  const user = t.users.get(idx.user);
  if (!key || !user) return undefined;
  return {
    accessKeyId,
    secretAccessKey: key.secret,
    status: key.status,
    principal: { type: "IAMUser", accountId: idx.account, arn: userArn(idx.account, user), principalId: user.id, userName: user.name, accessKeyId },
    markUsed: (service, region, now) => markUsed(store, accessKeyId, service, region, now),
  };
};
