// IAM users' access keys (two per user), their last use, and the credential source that makes an AKIA key
// sign requests as its user in its user's account.
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { mustUser, newAccessKeyId, newSecretAccessKey, page, toDate, userArn } from "./common.js";
import type { AccessKeyRec, UserRec } from "./state.js";
import { k, nameKey, tables, transaction } from "./state.js";

const MAX_KEYS = 2;

/** The user an operation without UserName acts on: the calling IAM user. */
function targetUser(ctx: HandlerContext, userName: string | undefined): UserRec {
  const name = userName ?? (ctx.principal.type === "IAMUser" ? ctx.principal.userName : undefined);
  if (!name) throw new ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
  return mustUser(tables(ctx), name);
}

function mustKey(ctx: HandlerContext, user: UserRec, id: string): AccessKeyRec {
  const rec = tables(ctx).accessKeys.get(k(nameKey(user.name), id));
  if (!rec) throw new NoSuchEntityException(`The Access Key with id ${id} cannot be found.`);
  return rec;
}

export const accessKeys = {
  createAccessKey({ UserName }, ctx) {
    const user = targetUser(ctx, UserName);
    const t = tables(ctx);
    const owner = nameKey(user.name);
    if (t.accessKeys.count(k(owner, "")) >= MAX_KEYS) throw new LimitExceededException(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
    const rec: AccessKeyRec = { id: newAccessKeyId(), secret: newSecretAccessKey(), userName: user.name, status: "Active", createDate: ctx.now() };
    transaction(ctx, () => {
      t.accessKeys.put(k(owner, rec.id), rec);
      t.accessKeyIndex.put(rec.id, { account: ctx.account, user: owner });
    });
    return { AccessKey: { UserName: rec.userName, AccessKeyId: rec.id, Status: rec.status, SecretAccessKey: rec.secret, CreateDate: toDate(rec.createDate) } };
  },

  listAccessKeys({ UserName, Marker, MaxItems }, ctx) {
    const user = targetUser(ctx, UserName);
    const p = page(ctx.operation, tables(ctx).accessKeys.list({ prefix: k(nameKey(user.name), "") }), Marker, MaxItems);
    return {
      AccessKeyMetadata: p.items.map((a) => ({ UserName: a.userName, AccessKeyId: a.id, Status: a.status, CreateDate: toDate(a.createDate) })),
      IsTruncated: p.IsTruncated,
      Marker: p.Marker,
    };
  },

  updateAccessKey({ UserName, AccessKeyId, Status }, ctx) {
    const user = targetUser(ctx, UserName);
    const rec = mustKey(ctx, user, AccessKeyId);
    tables(ctx).accessKeys.put(k(nameKey(user.name), rec.id), { ...rec, status: Status as AccessKeyRec["status"] });
    return {};
  },

  deleteAccessKey({ UserName, AccessKeyId }, ctx) {
    const user = targetUser(ctx, UserName);
    const rec = mustKey(ctx, user, AccessKeyId);
    transaction(ctx, () => {
      const t = tables(ctx);
      t.accessKeys.delete(k(nameKey(user.name), rec.id));
      t.accessKeyIndex.delete(rec.id);
      t.accessKeyUsage.delete(rec.id);
    });
    return {};
  },

  getAccessKeyLastUsed({ AccessKeyId }, ctx) {
    const t = tables(ctx);
    const idx = t.accessKeyIndex.get(AccessKeyId);
    const rec = idx && idx.account === ctx.account ? t.accessKeys.get(k(idx.user, AccessKeyId)) : undefined;
    if (!rec) throw new NoSuchEntityException(`The Access Key with id ${AccessKeyId} cannot be found.`);
    const used = t.accessKeyUsage.get(AccessKeyId);
    // A key never used reports "N/A" for service and region, as AWS does.
    return {
      UserName: rec.userName,
      AccessKeyLastUsed: used ? { LastUsedDate: toDate(used.date), ServiceName: used.service, Region: used.region } : { ServiceName: "N/A", Region: "N/A" },
    };
  },
} satisfies Partial<IamApi>;
