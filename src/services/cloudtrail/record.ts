// One API call → one CloudTrail event record, with the fields AWS documents under "CloudTrail record
// contents" and "userIdentity element", secrets redacted, plus the columns LookupEvents filters on.
import { uuid7 } from "../../core/ids.js";
import type { AuditCall } from "../../core/audit-types.js";
import type { Principal } from "../../core/identity.js";
import { loadModel, type ServiceModel, type Shape } from "../../core/model.js";
import type { AuditEventRow } from "../../core/store/events.js";
import { resourcesOf } from "./resources.js";

export const EVENT_VERSION = "1.08";
export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

// Global services: AWS records their events in one fixed region whatever endpoint was called.
const GLOBAL_REGION: Record<string, string> = {
  iam: "us-east-1",
  organizations: "us-east-1",
  route53: "us-east-1",
  cloudfront: "us-east-1",
  "global-accelerator": "us-west-2",
};

// Operations that change nothing, as CloudTrail classifies them: the usual read verbs, plus STS's
// credential calls and KMS's cryptographic operations, which CloudTrail marks readOnly too.
const READ_ONLY =
  /^(?:Get|List|Describe|Lookup|Head|BatchGet|Search|Simulate|Validate|Estimate|Preview|Filter|Test|Scan|Query|Select|Assume|Decode|Decrypt|Encrypt|ReEncrypt|GenerateDataKey|GenerateRandom|GenerateMac|VerifyMac|Verify|Sign)(?=[A-Z]|$)/;

export const isReadOnly = (operation: string) => READ_ONLY.test(operation);

// Members whose values are secrets even where the model does not mark the shape sensitive.
const SECRET_MEMBERS = new Set([
  "password",
  "newpassword",
  "oldpassword",
  "secretaccesskey",
  "sessiontoken",
  "privatekey",
  "secretstring",
  "secretbinary",
  "clientsecret",
  "samlassertion",
  "webidentitytoken",
  "servicepassword",
  "plaintext",
]);

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

// Calls CloudTrail classifies as data events (eventCategory "Data"), which a trail records only when its event
// selectors ask for them: S3's object-level operations, Lambda's Invoke, SQS's message operations and SNS's Publish
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html, "Data events").
const S3_OBJECT_OPERATIONS = new Set([
  "GetObject",
  "PutObject",
  "HeadObject",
  "DeleteObject",
  "DeleteObjects",
  "CopyObject",
  "GetObjectAcl",
  "PutObjectAcl",
  "GetObjectTagging",
  "PutObjectTagging",
  "DeleteObjectTagging",
  "GetObjectAttributes",
  "GetObjectRetention",
  "PutObjectRetention",
  "GetObjectLegalHold",
  "PutObjectLegalHold",
  "RestoreObject",
  "SelectObjectContent",
  "CreateMultipartUpload",
  "UploadPart",
  "UploadPartCopy",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "ListParts",
]);
const DATA_OPERATIONS: Record<string, Set<string>> = {
  s3: S3_OBJECT_OPERATIONS,
  lambda: new Set(["Invoke", "InvokeAsync", "InvokeWithResponseStream"]),
  sqs: new Set([
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
  ]),
  sns: new Set(["Publish", "PublishBatch"]),
  // CloudWatch Logs' log event reads and writes: not among the actions AWS's CloudWatch Logs guide lists as logged by
  // CloudTrail ("Logging Amazon CloudWatch Logs API calls in AWS CloudTrail": CreateLogGroup, PutRetentionPolicy …,
  // and the Describe* calls with request elements only), so never in Event history.
  "cloudwatch-logs": new Set(["PutLogEvents", "GetLogEvents", "FilterLogEvents"]),
};

/** The declared classification: each service's operations CloudTrail files as data events (the README lists them). */
export const dataOperations = (): Readonly<Record<string, ReadonlySet<string>>> => DATA_OPERATIONS;

export function isDataEvent(call: Pick<AuditCall, "service" | "operation" | "dataEvent">): boolean {
  return call.dataEvent === true || DATA_OPERATIONS[call.service]?.has(call.operation) === true;
}

export interface DataResourceRef {
  type: string;
  ARN: string;
  accountId?: string;
}

/** A data event's resources as its record names them: the object and its bucket, or the function. */
export function dataResourcesOf(call: Pick<AuditCall, "service" | "input" | "account" | "region">): DataResourceRef[] {
  const input = call.input ?? {};
  if (call.service === "s3") {
    const bucket = typeof input.Bucket === "string" ? input.Bucket : undefined;
    if (!bucket) return [];
    const out: DataResourceRef[] = [];
    if (typeof input.Key === "string") out.push({ type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${input.Key}` });
    out.push({ accountId: call.account, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` });
    return out;
  }
  if (call.service === "sqs" && typeof input.QueueUrl === "string") {
    const m = /\/(\d{12})\/([^/?]+)$/.exec(input.QueueUrl);
    return m ? [{ accountId: m[1], type: "AWS::SQS::Queue", ARN: `arn:aws:sqs:${call.region}:${m[1]}:${m[2]}` }] : [];
  }
  if (call.service === "sns" && typeof input.TopicArn === "string") {
    return [{ accountId: call.account, type: "AWS::SNS::Topic", ARN: input.TopicArn }];
  }
  if (call.service === "lambda" && typeof input.FunctionName === "string") {
    const name = input.FunctionName;
    const arn = name.startsWith("arn:") ? name : `arn:aws:lambda:${call.region}:${call.account}:function:${name}`;
    return [{ accountId: call.account, type: "AWS::Lambda::Function", ARN: arn }];
  }
  return [];
}

export function buildEventRow(call: AuditCall): AuditEventRow {
  const eventTime = Math.floor(call.time / 1000) * 1000;
  const dataEvent = isDataEvent(call);
  // A version-7 UUID (time first, then random): still a UUID to every client, and it carries its event's time, so
  // LookupEvents by EventId searches one second of the time index (no id index).
  const eventId = uuid7(call.time);
  const readOnly = isReadOnly(call.operation);
  const model = modelOf(call.service);
  const op = model?.operations[call.operation];
  const ok = call.errorCode === undefined;
  const requestParameters = present(call.input) ? render(model, op?.input?.shape, call.input) : null;
  const responseElements = ok && !readOnly && present(call.output) ? render(model, op?.output?.shape, call.output) : null;
  const via = call.invokedBy;
  const record = {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(call.principal, call.account, call.invokedBy),
    eventTime: isoSeconds(eventTime),
    eventSource: call.eventSource,
    eventName: call.operation,
    awsRegion: GLOBAL_REGION[call.service] ?? call.region,
    // A call a service made on the caller's behalf shows the service as its origin, as AWS does.
    sourceIPAddress: via ?? call.sourceIp,
    userAgent: via ?? call.userAgent,
    errorCode: call.errorCode,
    errorMessage: call.errorCode !== undefined && call.errorMessage ? call.errorMessage : undefined,
    requestParameters,
    responseElements,
    requestID: call.requestId,
    eventID: eventId,
    readOnly,
    resources: dataEvent && !call.dataEvent ? dataResourcesOf(call) : undefined,
    eventType: "AwsApiCall",
    managementEvent: !dataEvent,
    recipientAccountId: call.account,
    eventCategory: dataEvent ? "Data" : "Management",
  };
  return {
    account: call.account,
    region: record.awsRegion,
    eventTime,
    eventId,
    eventName: call.operation,
    eventSource: call.eventSource,
    readOnly,
    username: usernameOf(call.principal),
    accessKeyId: call.principal.accessKeyId,
    resources: ok ? resourcesOf(call.service, call.input, call.output) : resourcesOf(call.service, call.input),
    record: JSON.stringify(record),
  };
}

/** The event time (whole seconds, epoch ms) an event id (a uuid7 of its call's time) was made for; undefined for other ids. */
export function timeOfEventId(id: string): number | undefined {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.exec(id);
  return m ? Math.floor(parseInt(m[1] + m[2], 16) / 1000) * 1000 : undefined;
}

function userIdentity(p: Principal, account: string, invokedBy: string | undefined): Record<string, unknown> {
  const id: Record<string, unknown> = {
    type: p.type,
    principalId: p.principalId,
    arn: p.type === "Unknown" ? undefined : p.arn,
    accountId: p.accountId || account,
    accessKeyId: p.accessKeyId,
    userName: p.type === "IAMUser" ? p.userName : undefined,
  };
  if (p.session) {
    const s = p.session;
    // Only role and federation sessions name their issuer; GetSessionToken sessions leave it empty.
    const issuer =
      p.type === "AssumedRole" || p.type === "FederatedUser"
        ? { type: s.issuerType, principalId: s.issuerPrincipalId, arn: s.issuerArn, accountId: p.accountId, userName: s.issuerUserName }
        : {};
    id.sessionContext = {
      sessionIssuer: issuer,
      webIdFederationData: {},
      attributes: { creationDate: s.creationDate, mfaAuthenticated: String(s.mfaAuthenticated) },
    };
  }
  if (invokedBy) id.invokedBy = invokedBy;
  return id;
}

/** The "User name" Event history shows: root, the IAM user, or the role session's name. */
export function usernameOf(p: Principal): string | undefined {
  switch (p.type) {
    case "Root":
      return "root";
    case "IAMUser":
      return p.userName;
    case "AssumedRole":
    case "FederatedUser": {
      const i = p.principalId.indexOf(":");
      return i >= 0 ? p.principalId.slice(i + 1) : p.arn.slice(p.arn.lastIndexOf("/") + 1);
    }
    default:
      return undefined;
  }
}

function modelOf(service: string): ServiceModel | undefined {
  try {
    return loadModel(service);
  } catch {
    return undefined;
  }
}

function present(v: Record<string, unknown> | undefined): v is Record<string, unknown> {
  return v !== undefined && v !== null && Object.keys(v).length > 0;
}

/** A value as CloudTrail writes it: lowerCamel member names, secrets hidden, dates and blobs as text. */
const MAX_LIST_ITEMS = 100;

export function render(model: ServiceModel | undefined, shapeName: string | undefined, value: unknown): unknown {
  const shape: Shape | undefined = shapeName && model ? model.shapes[shapeName] : undefined;
  if (shape?.sensitive) return HIDDEN;
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return isoSeconds(value.getTime());
  // Payloads (object bodies, binary blobs, streams) are never part of a CloudTrail record.
  if (value instanceof Uint8Array || shape?.type === "blob" || shape?.streaming) return undefined;
  if (Array.isArray(value)) {
    // A CloudTrail event is capped at 256 KB: bulk data lists (PutLogEvents' 10,000 events, batch
    // entries) are left out rather than recorded whole.
    if (value.length > MAX_LIST_ITEMS) return undefined;
    return value.map((v) => render(model, shape?.member?.shape, v));
  }
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return typeof value === "object" ? undefined : value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (shape?.type === "map") {
    // Map keys are the caller's data (tag keys, attribute names): kept as given.
    for (const [k, v] of Object.entries(obj)) out[k] = render(model, shape.value?.shape, v);
    return out;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const key = lowerFirst(k);
    out[key] = SECRET_MEMBERS.has(key.toLowerCase()) ? HIDDEN : render(model, shape?.members?.[k]?.shape, v);
  }
  return out;
}
