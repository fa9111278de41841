// Credentials for `stratus cdk` when the user has none of their own: an IAM user's access key, because the CDK CLI
// assumes the bootstrap roles (deploy, file and image publishing, lookup) and AWS does not let the root user assume
// roles — Stratus keeps that rule, and the CLI would otherwise warn and fall back to the root's own credentials.
// The user is `stratus-cdk` in the root keys' account (000000000000 for the default `test` keys), with the AWS
// managed policy AdministratorAccess; its key is kept in the user's cache dir (mode 0600) and checked with
// GetCallerIdentity before each use, so a reset or another server's data dir just makes a new one.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "./args.js";

export const CDK_USER = "stratus-cdk";

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

interface Cached extends Keys {
  arn: string;
}

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "stratus", "cdk-credentials.json");
}

function readCache(): Record<string, Cached> {
  try {
    return JSON.parse(readFileSync(cacheFile(), "utf8")) as Record<string, Cached>;
  } catch {
    return {};
  }
}

function writeCache(all: Record<string, Cached>): void {
  const file = cacheFile();
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch {
    // Without a cache the next run makes another key (the oldest of two is then deleted): slower, not wrong.
  }
}

/** The root's keys the server accepts: STRATUS_ROOT_* as `stratus start` reads them, else the default test/test. */
function rootKeys(): Keys {
  const id = process.env.STRATUS_ROOT_ACCESS_KEY_ID || undefined;
  const secret = process.env.STRATUS_ROOT_SECRET_ACCESS_KEY || undefined;
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : { accessKeyId: "test", secretAccessKey: "test" };
}

export async function cdkCredentials(endpoint: string, region: string): Promise<Keys> {
  // The SDK's own switch, for this process's calls only (the CDK CLI's environment is already made).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const root = rootKeys();
  const cacheKey = `${endpoint} ${root.accessKeyId}`;
  const all = readCache();
  const cached = all[cacheKey];
  if (cached) {
    const sts = new STSClient({ endpoint, region, credentials: cached, maxAttempts: 1 });
    const who = await sts.send(new GetCallerIdentityCommand({})).catch(() => undefined);
    sts.destroy();
    // An unknown key id is some account's root with --auth none: only the cached user's ARN means the key is live.
    if (who?.Arn === cached.arn) return cached;
  }
  const made = await makeKey(endpoint, region, root);
  all[cacheKey] = made;
  writeCache(all);
  return made;
}

async function makeKey(endpoint: string, region: string, root: Keys): Promise<Cached> {
  const iamSdk = await import("@aws-sdk/client-iam");
  const iam = new iamSdk.IAMClient({ endpoint, region, credentials: root, maxAttempts: 1 });
  try {
    let arn: string;
    try {
      arn = (await iam.send(new iamSdk.GetUserCommand({ UserName: CDK_USER }))).User!.Arn!;
    } catch (e) {
      if ((e as { name?: string }).name !== "NoSuchEntityException" && (e as { name?: string }).name !== "NoSuchEntity") throw e;
      arn = (await iam.send(new iamSdk.CreateUserCommand({ UserName: CDK_USER }))).User!.Arn!;
      process.stderr.write(`stratus: the CDK CLI runs as the IAM user ${arn}: the root user may not assume the bootstrap roles\n`);
    }
    await iam.send(new iamSdk.AttachUserPolicyCommand({ UserName: CDK_USER, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    // IAM allows two keys per user: the oldest goes to make room (a key only a lost cache knew).
    const keys = (await iam.send(new iamSdk.ListAccessKeysCommand({ UserName: CDK_USER }))).AccessKeyMetadata ?? [];
    if (keys.length >= 2) {
      const oldest = [...keys].sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
      await iam.send(new iamSdk.DeleteAccessKeyCommand({ UserName: CDK_USER, AccessKeyId: oldest.AccessKeyId }));
    }
    const key = (await iam.send(new iamSdk.CreateAccessKeyCommand({ UserName: CDK_USER }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey!, arn };
  } catch (e) {
    throw new CliError(
      `cannot set up the IAM user ${CDK_USER} for the CDK CLI at ${endpoint} (${e instanceof Error ? e.message : String(e)}); ` +
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to an IAM user's keys instead",
    );
  } finally {
    iam.destroy();
  }
}
