// MFA checks for GetSessionToken and AssumeRole: the caller's virtual device and its TOTP code.
import type { HandlerContext } from "../../core/context.js";
import { matchTotp } from "../../core/totp.js";
import { findMfaDevice } from "../iam/internal.js";
import { accessDenied, stsState } from "./credentials.js";

// AWS accepts each one-time code once; STS remembers the last accepted step per device.
const usedCodes = (ctx: HandlerContext) => stsState.of(ctx).mfaUsedCodes;

const unableToValidate = () =>
  accessDenied("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.");
const invalidCode = () => accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ");

export interface MfaResult {
  /** MFA was presented and the code is valid. */
  present: boolean;
  /** Marks the code used; called once the request succeeds, so a refused request does not burn it. */
  consume(): void;
}

/**
 * Checks SerialNumber + TokenCode against the calling user's MFA device. Throws AccessDenied when
 * either is given and they do not check out.
 */
export function verifyMfa(ctx: HandlerContext, serialNumber: string | undefined, tokenCode: string | undefined): MfaResult {
  if (serialNumber === undefined && tokenCode === undefined) return { present: false, consume: () => {} };
  if (serialNumber === undefined || tokenCode === undefined) throw unableToValidate();
  // Only IAM users own virtual MFA devices through the API; roles and federated users have none.
  const userName = ctx.principal.type === "IAMUser" ? ctx.principal.userName : undefined;
  const device = userName ? findMfaDevice(ctx, ctx.principal.accountId, serialNumber) : undefined;
  if (!device || !device.enabled || device.userName !== userName) throw unableToValidate();
  const step = matchTotp(device.seedBase32, tokenCode, ctx.now());
  if (step === undefined) throw invalidCode();
  const used = usedCodes(ctx);
  const last = used.get(serialNumber);
  if (last && step <= last.step) throw invalidCode();
  return { present: true, consume: () => used.put(serialNumber, { step }) };
}
