// Console passwords of IAM users (login profiles). Only a salted hash of the password is kept.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { EntityAlreadyExistsException, InvalidUserTypeException, NoSuchEntityException } from "./api.generated.js";
import { mustUser, toDate } from "./common.js";
import { checkPassword } from "./password-policy.js";
import type { LoginProfileRec } from "./state.js";
import { nameKey, tables } from "./state.js";

const verify = (password: string, stored: string) => {
  const [salt, digest] = stored.split(":");
  const got = createHash("sha256")
    .update(salt + password)
    .digest();
  return timingSafeEqual(got, Buffer.from(digest, "hex"));
};

const hash = (password: string) => {
  const salt = randomBytes(16).toString("hex");
  return `${salt}:${createHash("sha256")
    .update(salt + password)
    .digest("hex")}`;
};

function owner(ctx: HandlerContext, userName: string | undefined) {
  const name = userName ?? (ctx.principal.type === "IAMUser" ? ctx.principal.userName : undefined);
  if (!name) throw new ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
  const user = mustUser(tables(ctx), name);
  return { user, key: nameKey(user.name) };
}

function mustProfile(ctx: HandlerContext, userName: string | undefined) {
  const { user, key } = owner(ctx, userName);
  const rec = tables(ctx).loginProfiles.get(key);
  if (!rec) throw new NoSuchEntityException(`Login Profile for User ${user.name} cannot be found.`);
  return { key, rec };
}

export const loginProfiles = {
  createLoginProfile({ UserName, Password, PasswordResetRequired = false }, ctx) {
    const { user, key } = owner(ctx, UserName);
    if (Password === undefined)
      throw new ServiceError(
        "ValidationError",
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
        400,
      );
    checkPassword(ctx, Password);
    const rec: LoginProfileRec = {
      userName: user.name,
      createDate: ctx.now(),
      passwordResetRequired: PasswordResetRequired,
      passwordHash: hash(Password),
    };
    if (!tables(ctx).loginProfiles.insert(key, rec)) throw new EntityAlreadyExistsException(`Login Profile for user ${user.name} already exists.`);
    return { LoginProfile: { UserName: rec.userName, CreateDate: toDate(rec.createDate), PasswordResetRequired: rec.passwordResetRequired } };
  },

  getLoginProfile({ UserName }, ctx) {
    const { rec } = mustProfile(ctx, UserName);
    return { LoginProfile: { UserName: rec.userName, CreateDate: toDate(rec.createDate), PasswordResetRequired: rec.passwordResetRequired } };
  },

  updateLoginProfile({ UserName, Password, PasswordResetRequired }, ctx) {
    const { key, rec } = mustProfile(ctx, UserName);
    if (Password !== undefined) checkPassword(ctx, Password);
    const next = {
      ...rec,
      passwordResetRequired: PasswordResetRequired ?? rec.passwordResetRequired,
      ...(Password !== undefined ? { passwordHash: hash(Password) } : {}),
    };
    tables(ctx).loginProfiles.put(key, next);
    return {};
  },

  // An IAM user changes its own console password: the old one must match, the new one meet the account's policy.
  // (AllowUsersToChangePassword grants the permission to every user; without it a user needs iam:ChangePassword in
  // its identity policies, which Stratus does not enforce, so the call is not refused on that ground.)
  // The messages for a caller that is not an IAM user and for a wrong old password were not found in AWS-recorded
  // material: unverified.
  changePassword({ OldPassword, NewPassword }, ctx) {
    if (ctx.principal.type !== "IAMUser" || !ctx.principal.userName) {
      throw new InvalidUserTypeException("Only IAM Users can change their own password.");
    }
    const { key, rec } = mustProfile(ctx, ctx.principal.userName);
    const stored = rec.passwordHash;
    if (!stored || !verify(OldPassword, stored)) throw new InvalidUserTypeException("The old password was incorrect.");
    checkPassword(ctx, NewPassword);
    tables(ctx).loginProfiles.put(key, { ...rec, passwordHash: hash(NewPassword), passwordResetRequired: false });
    return {};
  },

  deleteLoginProfile({ UserName }, ctx) {
    const { key } = mustProfile(ctx, UserName);
    tables(ctx).loginProfiles.delete(key);
    return {};
  },
} satisfies Partial<IamApi>;
