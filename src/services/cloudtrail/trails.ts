// Trails: CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, ListTrails, StartLogging, StopLogging,
// GetTrailStatus and tags. A trail lives in its home region; a multi-region trail shows in every region of its account
// (DescribeTrails' shadow trails). Names and "not found" are worded as moto records them (moto/cloudtrail/exceptions.py).
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import {
  CloudTrailARNInvalidException,
  InvalidParameterCombinationException,
  InvalidTrailNameException,
  OrganizationsNotInUseException,
  ResourceNotFoundException,
  TagsLimitExceededException,
  TrailAlreadyExistsException,
  TrailNotFoundException,
  type CloudtrailApi,
  type CreateTrailRequest,
  type Tag,
  type Trail,
  type UpdateTrailRequest,
} from "./api.generated.js";
import { checkBucket, checkKey, checkLogs, checkTopic, topicArnOf } from "./checks.js";
import type { TrailEngine } from "./engine.js";
import { ctState, type TrailRec } from "./state.js";

const TRAIL_ARN = /^arn:[\w-]+:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

export function trailArnOf(ctx: { account: string; region: string }, name: string): string {
  return `arn:aws:cloudtrail:${ctx.region}:${ctx.account}:trail/${name}`;
}

function checkName(name: string): void {
  if (name.length < 3)
    throw new InvalidTrailNameException(`Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`);
  if (name.length > 128)
    throw new InvalidTrailNameException(`Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`);
  if (!/^[0-9a-zA-Z]/.test(name)) throw new InvalidTrailNameException("Trail name must starts with a letter or number.");
  if (!/[0-9a-zA-Z]$/.test(name)) throw new InvalidTrailNameException("Trail name must ends with a letter or number.");
  if (!/^[.\-_0-9a-zA-Z]+$/.test(name)) {
    throw new InvalidTrailNameException(
      "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).",
    );
  }
}

const notFound = (ctx: HandlerContext, name: string) => new TrailNotFoundException(`Unknown trail: ${name} for the user: ${ctx.account}`);

/** The trail a name or ARN names: a name in the caller's region, an ARN in its home region (shadow trails included). */
export function findTrail(ctx: HandlerContext, nameOrArn: string): TrailRec {
  const m = TRAIL_ARN.exec(nameOrArn);
  if (m) {
    if (m[2] !== ctx.account) throw notFound(ctx, nameOrArn);
    const rec = ctState.at(ctx, ctx.account, m[1]).trails.get(m[3]);
    if (!rec || (!rec.multiRegion && m[1] !== ctx.region)) throw notFound(ctx, nameOrArn);
    return rec;
  }
  if (nameOrArn.startsWith("arn:")) throw new CloudTrailARNInvalidException(`Invalid trail ARN: ${nameOrArn}`); // unverified wording
  checkName(nameOrArn);
  const rec = ctState.of(ctx).trails.get(nameOrArn);
  if (!rec) throw notFound(ctx, trailArnOf(ctx, nameOrArn));
  return rec;
}

/** A trail the caller may change: only in its home region. */
export function ownTrail(ctx: HandlerContext, nameOrArn: string): TrailRec {
  const rec = findTrail(ctx, nameOrArn);
  if (rec.homeRegion !== ctx.region) throw notFound(ctx, nameOrArn);
  return rec;
}

export function describe(rec: TrailRec): Trail {
  return {
    Name: rec.name,
    S3BucketName: rec.bucket,
    S3KeyPrefix: rec.prefix,
    SnsTopicName: rec.snsTopicName,
    SnsTopicARN: rec.snsTopicArn,
    IncludeGlobalServiceEvents: rec.includeGlobal,
    IsMultiRegionTrail: rec.multiRegion,
    HomeRegion: rec.homeRegion,
    TrailARN: rec.arn,
    LogFileValidationEnabled: rec.validation,
    CloudWatchLogsLogGroupArn: rec.logGroupArn,
    CloudWatchLogsRoleArn: rec.roleArn,
    KmsKeyId: rec.kmsKeyId,
    HasCustomEventSelectors: !!(rec.eventSelectors || rec.advancedEventSelectors),
    HasInsightSelectors: !!rec.insightSelectors?.length,
    IsOrganizationTrail: false,
  };
}

function refuseOrganization(flag: boolean | undefined): void {
  // Stratus has no AWS Organizations: every account is outside one, as AWS answers a standalone account.
  if (flag) {
    throw new OrganizationsNotInUseException(
      "This account is not a member of an organization. (Stratus does not emulate AWS Organizations, so organization trails are not supported.)",
    ); // unverified wording
  }
}

async function checkDestinations(ctx: HandlerContext, rec: TrailRec, keyChanged: boolean): Promise<void> {
  await checkBucket(ctx, rec.bucket, rec.prefix, rec.arn);
  if (rec.snsTopicArn) await checkTopic(ctx, rec.snsTopicArn, rec.arn);
  if (rec.kmsKeyId && keyChanged) rec.kmsKeyId = await checkKey(ctx, rec.kmsKeyId, rec.bucket, rec.arn);
  await checkLogs(ctx, rec.logGroupArn, rec.roleArn);
}

const response = (rec: TrailRec) => {
  const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...rest } = describe(rec);
  return rest;
};

function tagList(tags: Tag[] | undefined): Tag[] {
  return mergeTags([], tags, tagOptions);
}

const tagOptions = {
  key: (t: Tag) => t.Key,
  duplicates: "last" as const,
  max: 50,
  tooMany: () => new TagsLimitExceededException("The number of tags exceeds the limit of 50."), // unverified wording
};

export const trailHandlers = {
  async createTrail(input: CreateTrailRequest, ctx) {
    checkName(input.Name);
    refuseOrganization(input.IsOrganizationTrail);
    const trails = ctState.of(ctx).trails;
    if (trails.get(input.Name)) throw new TrailAlreadyExistsException(`Trail ${input.Name} already exists for customer: ${ctx.account}`); // unverified wording
    const rec: TrailRec = {
      name: input.Name,
      arn: trailArnOf(ctx, input.Name),
      account: ctx.account,
      homeRegion: ctx.region,
      bucket: input.S3BucketName,
      prefix: input.S3KeyPrefix || undefined,
      snsTopicName: input.SnsTopicName || undefined,
      snsTopicArn: input.SnsTopicName ? topicArnOf(ctx, input.SnsTopicName) : undefined,
      includeGlobal: input.IncludeGlobalServiceEvents ?? true,
      multiRegion: input.IsMultiRegionTrail ?? false,
      validation: input.EnableLogFileValidation ?? false,
      logGroupArn: input.CloudWatchLogsLogGroupArn || undefined,
      roleArn: input.CloudWatchLogsRoleArn || undefined,
      kmsKeyId: input.KmsKeyId || undefined,
      tags: tagList(input.TagsList),
      logging: false,
      status: {},
      digests: {},
    };
    if (rec.multiRegion && !rec.includeGlobal) {
      throw new InvalidParameterCombinationException("Multi-Region trail must include global service events."); // unverified wording
    }
    await checkDestinations(ctx, rec, true);
    if (trails.get(input.Name)) throw new TrailAlreadyExistsException(`Trail ${input.Name} already exists for customer: ${ctx.account}`); // unverified wording
    trails.put(rec.name, rec);
    ctx.startAtBoot();
    engine(ctx).changed();
    return response(rec);
  },

  async updateTrail(input: UpdateTrailRequest, ctx) {
    refuseOrganization(input.IsOrganizationTrail);
    const rec = ownTrail(ctx, input.Name);
    const set = <K extends keyof TrailRec>(k: K, v: TrailRec[K] | undefined) => {
      if (v !== undefined) rec[k] = v;
    };
    if (input.S3BucketName !== undefined) rec.bucket = input.S3BucketName;
    if (input.S3KeyPrefix !== undefined) rec.prefix = input.S3KeyPrefix || undefined;
    if (input.SnsTopicName !== undefined) {
      rec.snsTopicName = input.SnsTopicName || undefined;
      rec.snsTopicArn = input.SnsTopicName ? topicArnOf(ctx, input.SnsTopicName) : undefined;
    }
    set("includeGlobal", input.IncludeGlobalServiceEvents);
    set("multiRegion", input.IsMultiRegionTrail);
    set("validation", input.EnableLogFileValidation);
    if (input.CloudWatchLogsLogGroupArn !== undefined) rec.logGroupArn = input.CloudWatchLogsLogGroupArn || undefined;
    if (input.CloudWatchLogsRoleArn !== undefined) rec.roleArn = input.CloudWatchLogsRoleArn || undefined;
    const keyChanged = input.KmsKeyId !== undefined && input.KmsKeyId !== rec.kmsKeyId;
    if (input.KmsKeyId !== undefined) rec.kmsKeyId = input.KmsKeyId || undefined;
    if (rec.multiRegion && !rec.includeGlobal) {
      throw new InvalidParameterCombinationException("Multi-Region trail must include global service events."); // unverified wording
    }
    await checkDestinations(ctx, rec, keyChanged);
    const current = ctState.of(ctx).trails.get(rec.name);
    if (!current) throw notFound(ctx, input.Name);
    // Logging state, selectors and status are kept as they are now (a StartLogging may have run meanwhile).
    const merged = { ...current, ...pickConfig(rec) };
    ctState.of(ctx).trails.put(rec.name, merged);
    engine(ctx).changed();
    return response(merged);
  },

  deleteTrail(input, ctx) {
    const rec = ownTrail(ctx, input.Name);
    ctState.of(ctx).trails.delete(rec.name);
    engine(ctx).changed();
    return {};
  },

  getTrail(input, ctx) {
    return { Trail: describe(findTrail(ctx, input.Name)) };
  },

  describeTrails(input, ctx) {
    const shadows = input.includeShadowTrails ?? true;
    let list = visibleTrails(ctx, shadows);
    if (input.trailNameList?.length) {
      const wanted = new Set(input.trailNameList);
      list = list.filter((t) => wanted.has(t.name) || wanted.has(t.arn));
    }
    return { trailList: list.map(describe) };
  },

  listTrails(_input, ctx) {
    return { Trails: visibleTrails(ctx, true).map((t) => ({ TrailARN: t.arn, Name: t.name, HomeRegion: t.homeRegion })) };
  },

  startLogging(input, ctx) {
    setLogging(ctx, input.Name, true);
    return {};
  },

  stopLogging(input, ctx) {
    setLogging(ctx, input.Name, false);
    return {};
  },

  getTrailStatus(input, ctx) {
    const rec = findTrail(ctx, input.Name);
    const s = rec.status;
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    return {
      IsLogging: rec.logging,
      LatestDeliveryError: s.latestDeliveryError,
      LatestNotificationError: s.latestNotificationError,
      LatestDeliveryTime: date(s.latestDeliveryTime),
      LatestNotificationTime: date(s.latestNotificationTime),
      StartLoggingTime: date(rec.startLoggingTime),
      StopLoggingTime: date(rec.stopLoggingTime),
      LatestCloudWatchLogsDeliveryError: s.latestCloudWatchLogsDeliveryError,
      LatestCloudWatchLogsDeliveryTime: date(s.latestCloudWatchLogsDeliveryTime),
      LatestDigestDeliveryTime: date(s.latestDigestDeliveryTime),
      LatestDigestDeliveryError: s.latestDigestDeliveryError,
      LatestDeliveryAttemptTime: iso(s.latestDeliveryAttemptTime) ?? "",
      LatestNotificationAttemptTime: iso(s.latestNotificationAttemptTime) ?? "",
      LatestNotificationAttemptSucceeded: iso(s.latestNotificationAttemptSucceeded) ?? "",
      LatestDeliveryAttemptSucceeded: iso(s.latestDeliveryAttemptSucceeded) ?? "",
      TimeLoggingStarted: iso(rec.startLoggingTime) ?? "",
      TimeLoggingStopped: iso(rec.stopLoggingTime) ?? "",
    };
  },

  addTags(input, ctx) {
    const rec = taggedTrail(ctx, input.ResourceId);
    rec.tags = mergeTags(rec.tags, input.TagsList, tagOptions);
    ctState.at(ctx, ctx.account, rec.homeRegion).trails.put(rec.name, rec);
    return {};
  },

  removeTags(input, ctx) {
    const rec = taggedTrail(ctx, input.ResourceId);
    rec.tags = removeTags(
      rec.tags,
      (input.TagsList ?? []).map((t) => t.Key),
      (t) => t.Key,
    );
    ctState.at(ctx, ctx.account, rec.homeRegion).trails.put(rec.name, rec);
    return {};
  },

  listTags(input, ctx) {
    return { ResourceTagList: input.ResourceIdList.map((id) => ({ ResourceId: id, TagsList: taggedTrail(ctx, id).tags })) };
  },
} satisfies Partial<CloudtrailApi>;

function setLogging(ctx: HandlerContext, name: string, on: boolean): void {
  const rec = ownTrail(ctx, name);
  if (rec.logging === on) return;
  rec.logging = on;
  if (on) rec.startLoggingTime = ctx.now();
  else rec.stopLoggingTime = ctx.now();
  ctState.of(ctx).trails.put(rec.name, rec);
  engine(ctx).changed();
}

function taggedTrail(ctx: HandlerContext, id: string): TrailRec {
  if (!TRAIL_ARN.test(id)) throw new CloudTrailARNInvalidException(`Invalid trail ARN: ${id}`); // unverified wording
  try {
    return findTrail(ctx, id);
  } catch (e) {
    if (isServiceError(e) && e.code === "TrailNotFoundException") throw new ResourceNotFoundException(`Resource not found: ${id}`); // unverified wording
    throw e;
  }
}

function pickConfig(rec: TrailRec): Partial<TrailRec> {
  const { bucket, prefix, snsTopicName, snsTopicArn, includeGlobal, multiRegion, validation, logGroupArn, roleArn, kmsKeyId } = rec;
  return { bucket, prefix, snsTopicName, snsTopicArn, includeGlobal, multiRegion, validation, logGroupArn, roleArn, kmsKeyId };
}

/** The caller's region's trails, and with `shadows` the account's multi-region trails homed elsewhere. */
function visibleTrails(ctx: HandlerContext, shadows: boolean): TrailRec[] {
  const out = ctState
    .of(ctx)
    .trails.list()
    .map((e) => e.value);
  if (!shadows) return out;
  for (const { account, region, tables } of ctState.all(ctx, "trails")) {
    if (account !== ctx.account || region === ctx.region) continue;
    for (const { value } of tables.trails.list()) if (value.multiRegion) out.push(value);
  }
  return out;
}

export const engine = (ctx: HandlerContext) => ctx.instance<TrailEngine>();
