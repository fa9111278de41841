// Shared set-up for STS tests: IAM users with access keys, roles, virtual MFA devices, through the real IAM client.
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
} from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { base32Decode, totpAt } from "../../../src/core/totp.js";
import type { TestServer } from "../../helpers/server.js";

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const iamAs = (server: TestServer, account: string) => new IAMClient(server.clientConfig({ account }));

export const stsWith = (server: TestServer, keys: Keys) => new STSClient(server.clientConfig(keys));

/** Credentials from an STS response, in the shape clientConfig takes. */
export function keysOf(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Keys {
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
}

export async function createUserWithKey(server: TestServer, account: string, userName: string, path = "/") {
  const iam = iamAs(server, account);
  const { User } = await iam.send(new CreateUserCommand({ UserName: userName, Path: path }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { user: User!, keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

export async function createRole(server: TestServer, account: string, roleName: string, trust: object, maxSessionDuration?: number, path?: string) {
  const { Role } = await iamAs(server, account).send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: maxSessionDuration, Path: path }),
  );
  return Role!;
}

export const trust = (principal: unknown, extra: Record<string, unknown> = {}, more: object[] = []) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }, ...more],
});

/** Creates a virtual MFA device and enables it for the user with two consecutive codes at `now`. */
export async function enableVirtualMfa(server: TestServer, account: string, userName: string, now: number) {
  const iam = iamAs(server, account);
  const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-mfa` }));
  const seed = base32Decode(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString("ascii"));
  const code = (t: number) => totpAt(seed, t);
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: VirtualMFADevice!.SerialNumber!,
      AuthenticationCode1: code(now - 30_000),
      AuthenticationCode2: code(now),
    }),
  );
  return { serialNumber: VirtualMFADevice!.SerialNumber!, code };
}

/** A six-digit code that is not the device's code anywhere in the accepted window. */
export function wrongCode(code: (t: number) => string, now: number): string {
  const window = new Set([code(now - 30_000), code(now), code(now + 30_000)]);
  for (let i = 0; ; i++) {
    const c = String(i).padStart(6, "0");
    if (!window.has(c)) return c;
  }
}
