// KMS encryption of a log group's events, as CloudWatch Logs does it: with a KMS key associated (CreateLogGroup's
// kmsKeyId, AssociateKmsKey), newly ingested events are encrypted with a data key KMS generates for the group under
// that key (encryption context aws:logs:arn = the group's ARN); the data key's ciphertext is stored, its plaintext
// kept only in memory (decrypted through KMS again after a restart), so PutLogEvents pays one AES-GCM pass per upload.
// Reads first check every KMS key the group's data was encrypted under: a disabled key, or one pending deletion,
// fails the read. Events ingested before the association, or after a disassociation, stay unencrypted; data
// encrypted under a key stays so (and needs that key) after DisassociateKmsKey, as AWS documents.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { evaluatePolicy } from "../../core/policy/index.js";
import type { ServiceHost } from "../../core/service.js";
import { defineState, regional } from "../../core/state.js";
import type { ChunkCipher, StoredLogEvent } from "../../core/store/log-events.js";
import { AccessDeniedException, InvalidParameterException } from "./api.generated.js";
import { eventStore, groupArn, transaction, type GroupRec } from "./state.js";

/** A group's data key under one KMS key: its ciphertext as KMS returned it (keyed `<gid>:<keyId>`). */
export interface DataKeyRec {
  keyId: number;
  gid: number;
  kmsKeyArn: string;
  ciphertext: string;
  created: number;
}

export const keyState = defineState("cloudwatch-logs", {
  dataKeys: regional<DataKeyRec>("data-keys"),
});

/** The service's running instance: plaintext data keys by id, and each group's current cipher by `<gid>|<kms key>`. */
export class Keyring {
  readonly keys = new Map<number, Buffer>();
  readonly current = new Map<string, ChunkCipher>();

  resolve = (keyId: number): Buffer => {
    const k = this.keys.get(keyId);
    // Reads go through unlockGroup first; a reader that did not cannot see encrypted events.
    if (!k) throw new InvalidParameterException("The log group's data is encrypted and its KMS key has not been checked for this read."); // unverified wording
    return k;
  };
}

export function startKeyring(host: ServiceHost): Keyring {
  const ring = new Keyring();
  eventStore(host).useKeys(ring.resolve);
  return ring;
}

const ring = (ctx: HandlerContext) => ctx.instance<{ keyring: Keyring }>().keyring;
const where = (arn: string) => {
  const [, , , region, account] = arn.split(":");
  return { account, region };
};
const context = (ctx: HandlerContext, group: string) => ({ "aws:logs:arn": groupArn(ctx, group) });

/**
 * AWS's refusal when the key is unknown, unusable, or its policy does not let the Logs service principal use it for
 * the group (as AWS answers AssociateKmsKey / CreateLogGroup; reported verbatim in aws/aws-cdk#28304 and
 * hashicorp/terraform-provider-aws#29282).
 */
const notAllowed = (ctx: HandlerContext, group: string) =>
  new AccessDeniedException(`The specified KMS key does not exist or is not allowed to be used with Arn '${groupArn(ctx, group)}'`);

/**
 * AWS takes a KMS key ARN, checks the key exists and is enabled, and that its key policy lets
 * logs.<region>.amazonaws.com use it with the group's encryption context (the documented key policy statement:
 * kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*, optionally conditioned on
 * kms:EncryptionContext:aws:logs:arn).
 */
export async function checkKeyForGroup(ctx: HandlerContext, kmsKeyId: string, group: string): Promise<void> {
  if (!/^arn:aws[\w-]*:kms:[^:]*:\d{12}:key\/.+$/.test(kmsKeyId)) {
    throw new InvalidParameterException(`Specified KMS key ARN is not valid: ${kmsKeyId}`);
  }
  const kms = ctx.client("kms");
  const opts = where(kmsKeyId);
  let policy: string | undefined;
  try {
    const { KeyMetadata } = await kms.describeKey({ KeyId: kmsKeyId }, opts);
    if (KeyMetadata?.KeyState !== "Enabled" || KeyMetadata.KeySpec !== "SYMMETRIC_DEFAULT") throw notAllowed(ctx, group);
    policy = (await kms.getKeyPolicy({ KeyId: kmsKeyId, PolicyName: "default" }, opts)).Policy;
  } catch (e) {
    if (isServiceError(e)) throw notAllowed(ctx, group);
    throw e;
  }
  const conditions = {
    "kms:encryptioncontext:aws:logs:arn": groupArn(ctx, group),
    "kms:encryptioncontextkeys": ["aws:logs:arn"],
    "aws:sourceaccount": ctx.account,
    "aws:sourcearn": groupArn(ctx, group),
  };
  // Only the regional principal AWS documents: a key policy naming the global logs.amazonaws.com is refused on AWS
  // (as users report it, e.g. a CDK app's "Allow services to use the key" statement failing with the message above).
  const caller = { type: "service", service: `logs.${ctx.region}.amazonaws.com` } as const;
  const allowed = (action: string) => !!policy && evaluatePolicy(policy, { caller, action, resource: kmsKeyId, context: conditions }) === "Allow";
  if (!allowed("kms:GenerateDataKey") || !allowed("kms:Decrypt")) throw notAllowed(ctx, group);
}

/** The cipher new events of the group are written with (undefined when no key is associated); cached per group. */
export function groupCipher(ctx: HandlerContext, g: GroupRec): ChunkCipher | undefined | Promise<ChunkCipher> {
  if (!g.kmsKeyId) return undefined;
  return ring(ctx).current.get(`${g.id}|${g.kmsKeyId}`) ?? loadCipher(ctx, g, g.kmsKeyId);
}

async function loadCipher(ctx: HandlerContext, g: GroupRec, kmsKeyArn: string): Promise<ChunkCipher> {
  const r = ring(ctx);
  const table = keyState.of(ctx).dataKeys;
  const existing = table
    .list({ prefix: `${g.id}:` })
    .map((e) => e.value)
    .filter((k) => k.kmsKeyArn === kmsKeyArn)
    .sort((a, b) => b.created - a.created)[0];
  let cipher: ChunkCipher;
  if (existing) cipher = { keyId: existing.keyId, key: await plaintextOf(ctx, g, existing) };
  else {
    let out: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array };
    try {
      out = await ctx.client("kms").generateDataKey({ KeyId: kmsKeyArn, KeySpec: "AES_256", EncryptionContext: context(ctx, g.name) }, where(kmsKeyArn));
    } catch (e) {
      if (isServiceError(e)) throw notAllowed(ctx, g.name);
      throw e;
    }
    const rec: DataKeyRec = {
      keyId: eventStore(ctx).allocateId(),
      gid: g.id,
      kmsKeyArn,
      ciphertext: Buffer.from(out.CiphertextBlob!).toString("base64"),
      created: ctx.now(),
    };
    transaction(ctx, () => table.put(`${g.id}:${rec.keyId}`, rec));
    cipher = { keyId: rec.keyId, key: Buffer.from(out.Plaintext!) };
    r.keys.set(rec.keyId, cipher.key);
  }
  r.current.set(`${g.id}|${kmsKeyArn}`, cipher);
  return cipher;
}

async function plaintextOf(ctx: HandlerContext, g: GroupRec, k: DataKeyRec): Promise<Buffer> {
  const r = ring(ctx);
  const cached = r.keys.get(k.keyId);
  if (cached) return cached;
  let out: { Plaintext?: Uint8Array };
  try {
    out = await ctx
      .client("kms")
      .decrypt({ CiphertextBlob: Buffer.from(k.ciphertext, "base64"), KeyId: k.kmsKeyArn, EncryptionContext: context(ctx, g.name) }, where(k.kmsKeyArn));
  } catch (e) {
    if (isServiceError(e)) throw notAllowed(ctx, g.name);
    throw e;
  }
  const key = Buffer.from(out.Plaintext!);
  r.keys.set(k.keyId, key);
  return key;
}

/**
 * Before a read of the group's events: every KMS key its data was encrypted under must still be usable (enabled, not
 * pending deletion), else the read fails; their data keys are then in the keyring for the store. A group that
 * never had a key costs one index lookup.
 */
export async function unlockGroup(ctx: HandlerContext, g: GroupRec): Promise<void> {
  const keys = keyState.of(ctx).dataKeys.list({ prefix: `${g.id}:` });
  if (!keys.length) return;
  const kms = ctx.client("kms");
  const checked = new Set<string>();
  for (const { value: k } of keys) {
    if (!checked.has(k.kmsKeyArn)) {
      checked.add(k.kmsKeyArn);
      let state: string | undefined;
      try {
        state = (await kms.describeKey({ KeyId: k.kmsKeyArn }, where(k.kmsKeyArn))).KeyMetadata?.KeyState;
      } catch (e) {
        if (!isServiceError(e)) throw e;
      }
      // unverified wording: AWS's refusal of a key it may not use, as AssociateKmsKey words it.
      if (state !== "Enabled") throw notAllowed(ctx, g.name);
    }
    await plaintextOf(ctx, g, k);
  }
}

/** A stream's events in [from, to] (inclusive), oldest first, in batches; the group is unlocked first. */
export async function* readStreamEvents(
  ctx: HandlerContext,
  g: GroupRec,
  sid: number,
  from: number,
  to: number,
  batch: number,
): AsyncGenerator<StoredLogEvent[]> {
  await unlockGroup(ctx, g);
  const store = eventStore(ctx);
  let after: { ts: number; seq: number } | undefined;
  for (;;) {
    const rows = store.queryStream({ sid, start: from, end: to, direction: "forward", from: after, limit: batch });
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = { ts: last.timestamp, seq: last.seq };
  }
}
