// Virtual MFA devices: create (seed + real QR PNG), enable with TOTP codes computed from the seed, list, deactivate, delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListVirtualMFADevicesCommand,
  ListMFADevicesCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  DeleteUserCommand,
  ResyncMFADeviceCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { base32Decode, totpAt } from "../../../src/core/totp.js";
import { findMfaDevice } from "../../../src/services/iam/internal.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

/** Two codes from consecutive windows, as a person reads them off an authenticator app. */
function codes(seedText: string): [string, string] {
  const seed = base32Decode(seedText);
  const now = Date.now();
  return [totpAt(seed, now - 30_000), totpAt(seed, now)];
}

test("the full virtual MFA flow", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "mia" }));
  const { VirtualMFADevice: dev } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "mia-phone" }));
  assert.equal(dev!.SerialNumber, `arn:aws:iam::${account}:mfa/mia-phone`);
  const seedText = Buffer.from(dev!.Base32StringSeed!).toString("ascii");
  assert.match(seedText, /^[A-Z2-7]{64}$/);
  const png = Buffer.from(dev!.QRCodePNG!);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await rejects(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "mia-phone" })), "EntityAlreadyExistsException", 409);

  const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
  assert.deepEqual(
    unassigned.VirtualMFADevices!.map((d) => d.SerialNumber),
    [dev!.SerialNumber],
  );
  assert.equal(unassigned.VirtualMFADevices![0].Base32StringSeed, undefined);

  await rejects(
    iam.send(new EnableMFADeviceCommand({ UserName: "mia", SerialNumber: dev!.SerialNumber, AuthenticationCode1: "123456", AuthenticationCode2: "654321" })),
    "InvalidAuthenticationCodeException",
    403,
    "Authentication code for device is not valid.",
  );
  const [c1, c2] = codes(seedText);
  await rejects(
    iam.send(new EnableMFADeviceCommand({ UserName: "mia", SerialNumber: dev!.SerialNumber, AuthenticationCode1: c2, AuthenticationCode2: c1 })),
    "InvalidAuthenticationCodeException",
    403,
  );
  await iam.send(new EnableMFADeviceCommand({ UserName: "mia", SerialNumber: dev!.SerialNumber, AuthenticationCode1: c1, AuthenticationCode2: c2 }));

  const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }));
  assert.equal(assigned.VirtualMFADevices![0].User!.UserName, "mia");
  assert.ok(assigned.VirtualMFADevices![0].EnableDate instanceof Date);
  assert.deepEqual((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }))).VirtualMFADevices, []);
  const mine = await iam.send(new ListMFADevicesCommand({ UserName: "mia" }));
  assert.deepEqual(
    mine.MFADevices!.map((d) => [d.UserName, d.SerialNumber]),
    [["mia", dev!.SerialNumber]],
  );
  const [r1, r2] = codes(seedText);
  await iam.send(new ResyncMFADeviceCommand({ UserName: "mia", SerialNumber: dev!.SerialNumber, AuthenticationCode1: r1, AuthenticationCode2: r2 }));

  // STS reads the seed and owner through IAM's internal contract.
  const info = findMfaDevice(server.runtime.store, account, dev!.SerialNumber!)!;
  assert.deepEqual(info, { serialNumber: dev!.SerialNumber, seedBase32: seedText, userName: "mia", enabled: true });

  await rejects(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: dev!.SerialNumber })), "DeleteConflictException", 409);
  await rejects(iam.send(new DeleteUserCommand({ UserName: "mia" })), "DeleteConflictException", 409, "Cannot delete entity, must delete MFA device first.");
  await iam.send(new DeactivateMFADeviceCommand({ UserName: "mia", SerialNumber: dev!.SerialNumber }));
  assert.deepEqual((await iam.send(new ListMFADevicesCommand({ UserName: "mia" }))).MFADevices, []);
  await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: dev!.SerialNumber }));
  await rejects(
    iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: dev!.SerialNumber })),
    "NoSuchEntityException",
    404,
    `VirtualMFADevice with serial number ${dev!.SerialNumber} doesn't exist.`,
  );
  await iam.send(new DeleteUserCommand({ UserName: "mia" }));
});

test("ListVirtualMFADevices pages with MaxItems 1", async () => {
  const iam = server.client(IAMClient);
  for (const n of ["d1", "d2", "d3"]) await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: n, Path: "/team/" }));
  const seen: string[] = [];
  let Marker: string | undefined;
  do {
    const p = await iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 1, Marker }));
    seen.push(...p.VirtualMFADevices!.map((d) => d.SerialNumber!.split("/").pop()!));
    Marker = p.IsTruncated ? p.Marker : undefined;
  } while (Marker);
  assert.deepEqual(seen, ["d1", "d2", "d3"]);
});
