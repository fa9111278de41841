// Virtual MFA devices: create (seed + QR code), enable with two consecutive TOTP codes, resync, deactivate, delete, list.
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import { matchTotp, newTotpSeed } from "../../core/totp.js";
import type { IamApi } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException, InvalidAuthenticationCodeException, NoSuchEntityException } from "./api.generated.js";
import { iamArn, mergeTags, mustUser, page, removeTags, toDate, userOut } from "./common.js";
import type { MfaRec, Tables } from "./state.js";
import { nameKey, tables } from "./state.js";

const ISSUER = "Amazon Web Services";

function mustDevice(t: Tables, serial: string): MfaRec {
  const d = t.mfa.get(serial);
  if (!d) throw new NoSuchEntityException(`VirtualMFADevice with serial number ${serial} doesn't exist.`);
  return d;
}

/** Two codes from consecutive 30-second windows, within a little clock drift of now. */
function checkCodes(ctx: HandlerContext, seed: string, code1: string, code2: string): void {
  const now = ctx.now();
  const s1 = matchTotp(seed, code1, now, 2);
  const s2 = matchTotp(seed, code2, now, 2);
  if (s1 === undefined || s2 === undefined || s2 !== s1 + 1) throw new InvalidAuthenticationCodeException("Authentication code for device is not valid.");
}

function callerUserName(ctx: HandlerContext, userName: string | undefined): string | undefined {
  return userName ?? (ctx.principal.type === "IAMUser" ? ctx.principal.userName : undefined);
}

export const mfaDevices = {
  async createVirtualMFADevice({ VirtualMFADeviceName, Path = "/", Tags }, ctx) {
    const serial = iamArn(ctx.account, "mfa", Path, VirtualMFADeviceName);
    const seed = newTotpSeed();
    const uri = `otpauth://totp/${encodeURIComponent(ISSUER)}:${encodeURIComponent(`${VirtualMFADeviceName}@${ctx.account}`)}?secret=${seed}&issuer=${encodeURIComponent(ISSUER)}`;
    // Loaded on first use: start-up should not pay for a QR encoder.
    const { default: QRCode } = await import("qrcode");
    const png = await QRCode.toBuffer(uri, { type: "png" });
    const rec: MfaRec = { serial, name: VirtualMFADeviceName, path: Path, seed, createDate: ctx.now(), tags: mergeTags([], Tags, "MFA device") };
    if (!tables(ctx).mfa.insert(serial, rec)) throw new EntityAlreadyExistsException("MFADevice entity at the same path and name already exists.");
    return {
      VirtualMFADevice: { SerialNumber: serial, Base32StringSeed: Buffer.from(seed, "ascii"), QRCodePNG: png, ...(rec.tags.length ? { Tags: rec.tags } : {}) },
    };
  },

  enableMFADevice({ UserName, SerialNumber, AuthenticationCode1, AuthenticationCode2 }, ctx) {
    const t = tables(ctx);
    const user = mustUser(t, UserName);
    const d = mustDevice(t, SerialNumber);
    if (d.user) throw new EntityAlreadyExistsException("MFA Device is already in use.");
    checkCodes(ctx, d.seed, AuthenticationCode1, AuthenticationCode2);
    t.mfa.put(SerialNumber, { ...d, user: nameKey(user.name), enableDate: ctx.now() });
    return {};
  },

  resyncMFADevice({ UserName, SerialNumber, AuthenticationCode1, AuthenticationCode2 }, ctx) {
    const t = tables(ctx);
    const user = mustUser(t, UserName);
    const d = t.mfa.get(SerialNumber);
    if (!d || d.user !== nameKey(user.name)) throw new NoSuchEntityException(`MFA Device with serial number ${SerialNumber} does not exist.`);
    checkCodes(ctx, d.seed, AuthenticationCode1, AuthenticationCode2);
    return {};
  },

  deactivateMFADevice({ UserName, SerialNumber }, ctx) {
    const t = tables(ctx);
    const name = callerUserName(ctx, UserName);
    if (!name) throw new ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
    const user = mustUser(t, name);
    const d = t.mfa.get(SerialNumber);
    if (!d || d.user !== nameKey(user.name)) throw new NoSuchEntityException(`MFA Device with serial number ${SerialNumber} does not exist.`);
    t.mfa.put(SerialNumber, { ...d, user: undefined, enableDate: undefined });
    return {};
  },

  deleteVirtualMFADevice({ SerialNumber }, ctx) {
    const t = tables(ctx);
    const d = mustDevice(t, SerialNumber);
    if (d.user) throw new DeleteConflictException("MFA device is already in use.");
    t.mfa.delete(SerialNumber);
    return {};
  },

  listVirtualMFADevices({ AssignmentStatus = "Any", Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const entries = t.mfa.list().filter((e) => AssignmentStatus === "Any" || (AssignmentStatus === "Assigned") === !!e.value.user);
    const p = page(ctx.operation, entries, Marker, MaxItems);
    return {
      VirtualMFADevices: p.items.map((d) => {
        const u = d.user ? t.users.get(d.user) : undefined;
        return {
          SerialNumber: d.serial,
          ...(u ? { User: userOut(ctx.account, u) } : {}),
          ...(d.enableDate ? { EnableDate: toDate(d.enableDate) } : {}),
          ...(d.tags.length ? { Tags: d.tags } : {}),
        };
      }),
      IsTruncated: p.IsTruncated,
      Marker: p.Marker,
    };
  },

  listMFADevices({ UserName, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const name = callerUserName(ctx, UserName);
    // The root user's own devices live outside IAM's user list; it has none here.
    if (!name) return { MFADevices: [], IsTruncated: false };
    const user = mustUser(t, name);
    const key = nameKey(user.name);
    const p = page(
      ctx.operation,
      t.mfa.list().filter((e) => e.value.user === key),
      Marker,
      MaxItems,
    );
    return {
      MFADevices: p.items.map((d) => ({ UserName: user.name, SerialNumber: d.serial, EnableDate: toDate(d.enableDate ?? d.createDate) })),
      IsTruncated: p.IsTruncated,
      Marker: p.Marker,
    };
  },

  tagMFADevice({ SerialNumber, Tags }, ctx) {
    const t = tables(ctx);
    const d = mustDevice(t, SerialNumber);
    t.mfa.put(SerialNumber, { ...d, tags: mergeTags(d.tags, Tags, "MFA device") });
    return {};
  },

  untagMFADevice({ SerialNumber, TagKeys }, ctx) {
    const t = tables(ctx);
    const d = mustDevice(t, SerialNumber);
    t.mfa.put(SerialNumber, { ...d, tags: removeTags(d.tags, TagKeys) });
    return {};
  },

  listMFADeviceTags({ SerialNumber, Marker, MaxItems }, ctx) {
    const d = mustDevice(tables(ctx), SerialNumber);
    const p = page(
      ctx.operation,
      d.tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
      Marker,
      MaxItems,
    );
    return { Tags: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
  },
} satisfies Partial<IamApi>;
