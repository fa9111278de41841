// What IAM offers the rest of Stratus beyond its API: read-only lookups STS needs (trust policies,
// MFA seeds, users). Implemented over IAM's own tables; nothing else reads those tables.
import type { Store } from "../../core/store/types.js";

export interface IamRoleInfo {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy as JSON text (decoded, not URL-encoded). */
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
}

export interface IamUserInfo {
  userName: string;
  userId: string;
  arn: string;
  path: string;
}

export interface IamMfaInfo {
  serialNumber: string;
  /** The Base32 TOTP seed. */
  seedBase32: string;
  /** Set once EnableMFADevice has associated it with a user. */
  userName?: string;
  enabled: boolean;
}

export function findRoleByArn(_store: Store, _account: string, _arn: string): IamRoleInfo | undefined {
  throw new Error("IAM internal lookups are not implemented yet");
}

export function findUser(_store: Store, _account: string, _userName: string): IamUserInfo | undefined {
  throw new Error("IAM internal lookups are not implemented yet");
}

export function findMfaDevice(_store: Store, _account: string, _serialNumber: string): IamMfaInfo | undefined {
  throw new Error("IAM internal lookups are not implemented yet");
}
