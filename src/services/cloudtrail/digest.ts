// Log file integrity validation: every STRATUS_CLOUDTRAIL_DIGEST_SECONDS (default 3600, AWS's hour), for each logging
// trail with EnableLogFileValidation and each region it delivered from, a digest file in AWS's format
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html)
// at <prefix>/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//   <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>.json.gz,
// chained to the previous one and signed SHA256withRSA over the documented string
// (digestEndTime \n bucket/key \n hex SHA-256 of the uncompressed digest \n previousDigestSignature, "null" for the
// first), the hex signature in the object's metadata (x-amz-meta-signature, x-amz-meta-signature-algorithm). This is
// what the AWS CLI's `cloudtrail validate-logs` (awscli/customizations/cloudtrail/validation.py) checks, with the
// public key ListPublicKeys returns (PKCS#1 DER) under the digest's fingerprint.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { isServiceError } from "../../core/errors.js";
import { transaction } from "../../core/state.js";
import { datePath, gzipAsync, isoSeconds, prefixed, putObject, stamp } from "./delivery.js";
import type { TrailEngine } from "./engine.js";
import { ctState, type SigningKeyRec, type TrailRec } from "./state.js";
import type { StateHolder } from "../../core/state.js";

export const SIGNATURE_ALGORITHM = "SHA256withRSA";
// How long a signing key is offered by ListPublicKeys (AWS rotates; Stratus keeps one per account and region).
const KEY_VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

/** The account's signing key in a region, made (and kept durably) on first use. */
export function signingKey(holder: StateHolder, account: string, region: string, now: number): SigningKeyRec {
  const keys = ctState.at(holder, account, region).keys;
  const found = keys.list({ limit: 1 })[0]?.value;
  if (found) return found;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = publicKey.export({ type: "pkcs1", format: "der" });
  const rec: SigningKeyRec = {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: der.toString("base64"),
    fingerprint: createHash("md5").update(der).digest("hex"),
    validFrom: now - 60 * 60 * 1000,
    validTo: now + KEY_VALIDITY_MS,
  };
  keys.put(rec.fingerprint, rec);
  return rec;
}

export async function deliverDigests(engine: TrailEngine): Promise<void> {
  for (const { account, region, tables } of ctState.all(engine.host, "trails")) {
    for (const { value: rec } of tables.trails.list()) {
      if (!rec.validation || !rec.logging) continue;
      const regions = new Set([rec.homeRegion, ...Object.keys(rec.digests)]);
      for (const { value } of ctState.at(engine.host, account, region).delivered.list({ prefix: `${rec.name}|` })) regions.add(value.region);
      for (const r of regions) await digestOne(engine, rec, r);
    }
  }
}

async function digestOne(engine: TrailEngine, rec: TrailRec, region: string): Promise<void> {
  const { host } = engine;
  const now = host.clock.now();
  const tables = ctState.at(host, rec.account, rec.homeRegion);
  const chain = rec.digests[region] ?? { end: rec.startLoggingTime ?? now };
  if (now - chain.end < 1000) return; // digests are named to the second
  const files = tables.delivered.list({ prefix: `${rec.name}|${region}|` });
  const key = signingKey(host, rec.account, region, now);
  const digestKey = prefixed(
    rec,
    `AWSLogs/${rec.account}/CloudTrail-Digest/${region}/${datePath(now)}/${rec.account}_CloudTrail-Digest_${region}_${rec.name}_${rec.homeRegion}_${stamp(now, true)}.json.gz`,
  );
  const times = files.flatMap((f) => [f.value.oldest, f.value.newest]);
  const digest = {
    awsAccountId: rec.account,
    digestStartTime: isoSeconds(chain.end),
    digestEndTime: isoSeconds(now),
    digestS3Bucket: rec.bucket,
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: key.fingerprint,
    digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
    newestEventTime: times.length ? isoSeconds(Math.max(...times)) : null,
    oldestEventTime: times.length ? isoSeconds(Math.min(...times)) : null,
    previousDigestS3Bucket: chain.bucket ?? null,
    previousDigestS3Object: chain.key ?? null,
    previousDigestHashValue: chain.hash ?? null,
    previousDigestHashAlgorithm: chain.hash ? "SHA-256" : null,
    previousDigestSignature: chain.signature ?? null,
    logFiles: files.map(({ value: f }) => ({
      s3Bucket: f.bucket,
      s3Object: f.key,
      hashValue: f.hash,
      hashAlgorithm: "SHA-256",
      newestEventTime: isoSeconds(f.newest),
      oldestEventTime: isoSeconds(f.oldest),
    })),
  };
  const text = JSON.stringify(digest);
  const hash = createHash("sha256").update(text).digest("hex");
  const toSign = `${digest.digestEndTime}\n${rec.bucket}/${digestKey}\n${hash}\n${chain.signature ?? "null"}`;
  const signature = sign("sha256", Buffer.from(toSign), key.privateKey).toString("hex");
  const setStatus = (fn: (r: TrailRec) => void) => {
    const cur = tables.trails.get(rec.name);
    if (!cur) return;
    fn(cur);
    tables.trails.put(rec.name, cur);
  };
  try {
    await putObject(engine, rec, digestKey, await gzipAsync(text), { signature, "signature-algorithm": SIGNATURE_ALGORITHM });
  } catch (e) {
    setStatus((r) => (r.status.latestDigestDeliveryError = isServiceError(e) ? e.code : "InternalFailure"));
    return;
  }
  transaction(host, () => {
    for (const f of files) tables.delivered.delete(f.key);
    setStatus((r) => {
      r.digests[region] = { end: now, bucket: rec.bucket, key: digestKey, hash, signature };
      r.status.latestDigestDeliveryTime = now;
      r.status.latestDigestDeliveryError = undefined;
    });
  });
}

export const publicKeyHandlers = {
  listPublicKeys(input: { StartTime?: Date; EndTime?: Date }, ctx: import("../../core/context.js").HandlerContext) {
    const now = ctx.now();
    const start = input.StartTime?.getTime() ?? now;
    const end = input.EndTime?.getTime() ?? now;
    // The key Stratus signs with in this region, made now if no digest has been signed yet.
    signingKey(ctx, ctx.account, ctx.region, now);
    const keys = ctState
      .of(ctx)
      .keys.list()
      .map((e) => e.value)
      .filter((k) => k.validFrom <= end && k.validTo >= start);
    return {
      PublicKeyList: keys.map((k) => ({
        Value: Buffer.from(k.publicKey, "base64"),
        ValidityStartTime: new Date(k.validFrom),
        ValidityEndTime: new Date(k.validTo),
        Fingerprint: k.fingerprint,
      })),
    };
  },
};
