// The account's X-Ray settings beside sampling: the encryption configuration, the daemons' telemetry records, the
// indexing rules of Transaction Search and the trace segment destination.
//
// Encryption (API_PutEncryptionConfig, awscli's examples/xray/put-encryption-config.rst): NONE until changed; a KMS
// key given by id, ARN or alias is checked through KMS (DescribeKey, as the caller) and answered as the key's ARN with
// Status UPDATING, then reads ACTIVE (after STRATUS_XRAY_ENCRYPTION_UPDATE_MS, 3 s by default). X-Ray supports only
// symmetric encryption keys (API_PutEncryptionConfig: "X-Ray does not support asymmetric KMS keys").
//
// Telemetry (API_PutTelemetryRecords): the daemon's health counters. AWS keeps them for its own monitoring of the
// daemons and publishes them through no API, metric or log that its documentation names; Stratus stores the latest
// batch of each sender (by hostname, instance id or resource ARN) and offers no way to read them either.
import type { HandlerContext } from "../../../core/context.js";
import { isServiceError } from "../../../core/errors.js";
import { InvalidRequestException, ResourceNotFoundException, type EncryptionConfig, type XrayApi } from "../api.generated.js";
import type { KeyMetadata } from "../../kms/api.generated.js";
import { samplingState, type EncryptionRec } from "./state.js";

const updateDelayMs = () => Number(process.env.STRATUS_XRAY_ENCRYPTION_UPDATE_MS ?? 3000);

function encryptionOf(ctx: HandlerContext): EncryptionConfig {
  const rec = samplingState.of(ctx).encryption.read("config");
  if (!rec) return { Type: "NONE", Status: "ACTIVE" };
  const { activeAt, ...config } = rec;
  return { ...config, Status: activeAt !== undefined && ctx.now() < activeAt ? "UPDATING" : "ACTIVE" };
}

/** The KMS key's ARN, when the caller's KMS has it as a usable symmetric encryption key. */
async function kmsKeyArn(ctx: HandlerContext, keyId: string): Promise<string> {
  let meta: KeyMetadata | undefined;
  try {
    meta = (await ctx.client("kms").describeKey({ KeyId: keyId })).KeyMetadata;
  } catch (e) {
    if (isServiceError(e) && e.senderFault) throw new InvalidRequestException(`KMS key ${keyId} is not valid: ${e.message}`); // unverified wording
    throw e;
  }
  if (!meta?.Arn) throw new InvalidRequestException(`KMS key ${keyId} is not valid.`); // unverified wording
  if (meta.KeySpec !== "SYMMETRIC_DEFAULT" || meta.KeyUsage !== "ENCRYPT_DECRYPT") {
    throw new InvalidRequestException(`KMS key ${keyId} is not a symmetric encryption key; X-Ray supports only symmetric keys.`); // unverified wording
  }
  if (meta.KeyState !== "Enabled") throw new InvalidRequestException(`KMS key ${keyId} is ${meta.KeyState}.`); // unverified wording
  return meta.Arn;
}

const INDEXING_DEFAULT = "Default";
/** Transaction Search indexes 1% of spans as trace summaries unless changed (unverified: the default percentage). */
const INDEXING_DEFAULT_PERCENT = 1;

export const configHandlers = {
  getEncryptionConfig(_input, ctx) {
    return { EncryptionConfig: encryptionOf(ctx) };
  },
  async putEncryptionConfig({ Type, KeyId }, ctx) {
    let rec: EncryptionRec;
    if (Type === "KMS") {
      if (KeyId === undefined) throw new InvalidRequestException("A KeyId is required when Type is KMS."); // unverified wording
      rec = { Type, KeyId: await kmsKeyArn(ctx, KeyId) };
    } else {
      if (KeyId !== undefined) throw new InvalidRequestException("A KeyId cannot be given when Type is NONE."); // unverified wording
      rec = { Type };
    }
    rec.activeAt = ctx.now() + updateDelayMs();
    samplingState.of(ctx).encryption.put("config", rec);
    return { EncryptionConfig: encryptionOf(ctx) };
  },
  putTelemetryRecords({ TelemetryRecords, EC2InstanceId, Hostname, ResourceARN }, ctx) {
    const sender = JSON.stringify([Hostname ?? "", EC2InstanceId ?? "", ResourceARN ?? ""]);
    samplingState.of(ctx).telemetry.put(sender, {
      ...(EC2InstanceId !== undefined ? { ec2InstanceId: EC2InstanceId } : {}),
      ...(Hostname !== undefined ? { hostname: Hostname } : {}),
      ...(ResourceARN !== undefined ? { resourceArn: ResourceARN } : {}),
      records: TelemetryRecords,
      receivedAt: ctx.now(),
    });
    return {};
  },
  getIndexingRules(_input, ctx) {
    const rec = samplingState.of(ctx).indexingRules.read(INDEXING_DEFAULT);
    return {
      IndexingRules: [
        {
          Name: INDEXING_DEFAULT,
          ModifiedAt: new Date(rec?.modifiedAt ?? 0),
          Rule: { Probabilistic: { DesiredSamplingPercentage: rec?.desired ?? INDEXING_DEFAULT_PERCENT } },
        },
      ],
    };
  },
  updateIndexingRule({ Name, Rule }, ctx) {
    if (Name !== INDEXING_DEFAULT) throw new ResourceNotFoundException(`Indexing rule ${Name} not found.`, { ResourceName: Name }); // unverified wording
    const desired = Rule.Probabilistic?.DesiredSamplingPercentage;
    if (desired === undefined || !(desired >= 0 && desired <= 100)) {
      throw new InvalidRequestException("DesiredSamplingPercentage must be between 0 and 100."); // unverified wording
    }
    const rec = { desired, modifiedAt: ctx.now() };
    samplingState.of(ctx).indexingRules.put(INDEXING_DEFAULT, rec);
    return {
      IndexingRule: { Name, ModifiedAt: new Date(rec.modifiedAt), Rule: { Probabilistic: { DesiredSamplingPercentage: desired } } },
    };
  },
  getTraceSegmentDestination() {
    return { Destination: "XRay", Status: "ACTIVE" };
  },
  updateTraceSegmentDestination({ Destination }) {
    // Transaction Search's CloudWatch Logs destination sends spans to the aws/spans log group, which Stratus's traces
    // do not do: refused rather than answered as if it would happen.
    if (Destination === "CloudWatchLogs") {
      throw new InvalidRequestException("Stratus does not send trace segments to CloudWatch Logs (Transaction Search); the destination stays XRay.");
    }
    return { Destination: "XRay", Status: "ACTIVE" };
  },
} satisfies Partial<XrayApi>;
