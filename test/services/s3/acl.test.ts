// S3 Object Ownership, Block Public Access and ACLs through the real SDK v3 client (and boto3): the defaults of a new
// bucket (BucketOwnerEnforced, all four blocks on), their CRUD and errors, ACLs refused while disabled, canned ACLs,
// grant headers and AccessControlPolicy documents with S3's validation, public ACLs and policies refused while blocked,
// RestrictPublicBuckets, and a restart keeping it all. Expected answers are AWS's as recorded in LocalStack's
// tests/aws/services/s3/test_s3_api.snapshot.json (TestS3BucketOwnershipControls, TestS3PublicAccessBlock) and
// test_s3.snapshot.json (test_s3_bucket_acl*, test_s3_object_acl*), and the S3 user guide's Object Ownership errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  S3Client,
  CreateBucketCommand,
  GetBucketOwnershipControlsCommand,
  PutBucketOwnershipControlsCommand,
  DeleteBucketOwnershipControlsCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  DeletePublicAccessBlockCommand,
  PutBucketAclCommand,
  GetBucketAclCommand,
  PutObjectAclCommand,
  GetObjectAclCommand,
  PutObjectCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  type AccessControlPolicy,
} from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing } from "../../helpers/python.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";
const MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema";

function client(account = randomAccount()) {
  return server.client(S3Client, { account }, { forcePathStyle: true });
}
const name = () => `acl-${Math.random().toString(36).slice(2, 10)}`;
async function bucket(s3: S3Client, extra: Partial<ConstructorParameters<typeof CreateBucketCommand>[0]> = {}): Promise<string> {
  const b = name();
  await s3.send(new CreateBucketCommand({ Bucket: b, ...extra }));
  return b;
}
async function ownerId(s3: S3Client): Promise<string> {
  return (await s3.send(new ListBucketsCommand({}))).Owner!.ID!;
}

test("Object Ownership: BucketOwnerEnforced by default, CRUD, OwnershipControlsNotFoundError, invalid values", async () => {
  const s3 = client();
  const b = await bucket(s3);
  const def = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }));
  assert.deepEqual(def.OwnershipControls?.Rules, [{ ObjectOwnership: "BucketOwnerEnforced" }]);
  await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } }));
  assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))).OwnershipControls?.Rules, [{ ObjectOwnership: "ObjectWriter" }]);
  const del = await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(
    s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b })),
    "OwnershipControlsNotFoundError",
    404,
    "The bucket ownership controls were not found",
  );
  assert.equal((await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }))).$metadata.httpStatusCode, 204);

  const preferred = await bucket(s3, { ObjectOwnership: "BucketOwnerPreferred" });
  assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: preferred }))).OwnershipControls?.Rules, [
    { ObjectOwnership: "BucketOwnerPreferred" },
  ]);

  const two = { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" as const }, { ObjectOwnership: "ObjectWriter" as const }] };
  await rejects(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: two })), "MalformedXML", 400, MALFORMED_XML);
  await rejects(
    s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: "RandomValue" as never }] } })),
    "MalformedXML",
    400,
    MALFORMED_XML,
  );
  await rejects(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [] } })), "MalformedXML", 400, MALFORMED_XML);
  await rejects(
    s3.send(new CreateBucketCommand({ Bucket: name(), ObjectOwnership: "RandomValue" as never })),
    "InvalidArgument",
    400,
    "Invalid x-amz-object-ownership header: RandomValue",
  );
});

test("Block Public Access: all on for a new bucket, CRUD, NoSuchPublicAccessBlockConfiguration; BlockPublicPolicy refuses public policies", async () => {
  const account = randomAccount();
  const s3 = client(account);
  const b = await bucket(s3);
  const def = await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }));
  assert.deepEqual(def.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

  const publicPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${b}/*` }],
  });
  await rejects(
    s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicPolicy })),
    "AccessDenied",
    403,
    `User: arn:aws:iam::${account}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${b}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
  );
  // A wildcard principal pinned to one source account is not public.
  const pinned = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${b}/*`,
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  });
  await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: pinned }));

  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: b,
      PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false },
    }),
  );
  assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration, {
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  });
  await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicPolicy }));
  // With the public policy in place another account reads the bucket — until RestrictPublicBuckets is on.
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "open" }));
  const other = client();
  assert.equal(await (await other.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body?.transformToString(), "open");
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
  await rejects(other.send(new GetObjectCommand({ Bucket: b, Key: "k" })), "AccessDenied", 403, "Access Denied");

  const del = await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(
    s3.send(new GetPublicAccessBlockCommand({ Bucket: b })),
    "NoSuchPublicAccessBlockConfiguration",
    404,
    "The public access block configuration was not found",
  );
  assert.equal((await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }))).$metadata.httpStatusCode, 204);
});

test("ACLs disabled (BucketOwnerEnforced): reads show the owner's full control, writes other than the owner's are AccessControlListNotSupported", async () => {
  const s3 = client();
  const id = await ownerId(s3);
  const b = await bucket(s3);
  const acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
  assert.deepEqual(acl.Owner, { ID: id });
  assert.deepEqual(acl.Grants, [{ Grantee: { ID: id, Type: "CanonicalUser" }, Permission: "FULL_CONTROL" }]);
  await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "public-read" })), "AccessControlListNotSupported", 400, "The bucket does not allow ACLs");
  await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "private" }));
  await rejects(
    s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ACL: "public-read" })),
    "AccessControlListNotSupported",
    400,
    "The bucket does not allow ACLs",
  );
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ACL: "bucket-owner-full-control" }));
  const oacl = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "k" }));
  assert.deepEqual(oacl.Grants, [{ Grantee: { ID: id, Type: "CanonicalUser" }, Permission: "FULL_CONTROL" }]);
  await rejects(
    s3.send(new PutObjectAclCommand({ Bucket: b, Key: "k", GrantRead: `uri="${LOG_DELIVERY}"` })),
    "AccessControlListNotSupported",
    400,
    "The bucket does not allow ACLs",
  );
  // CreateBucket: an ACL beyond the owner's with ACLs disabled, a public one under Block Public Access.
  await rejects(
    s3.send(new CreateBucketCommand({ Bucket: name(), ACL: "public-read" })),
    "InvalidBucketAclWithObjectOwnership",
    400,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  );
  await rejects(
    s3.send(new CreateBucketCommand({ Bucket: name(), ACL: "public-read", ObjectOwnership: "ObjectWriter" })),
    "InvalidBucketAclWithBlockPublicAccessError",
    400,
    "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
  );
  // Going back to BucketOwnerEnforced needs a bucket ACL that grants only the owner.
  const w = await bucket(s3, { ObjectOwnership: "ObjectWriter", GrantRead: `uri="${LOG_DELIVERY}"` });
  await rejects(
    s3.send(new PutBucketOwnershipControlsCommand({ Bucket: w, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } })),
    "InvalidBucketAclWithObjectOwnership",
    400,
  );
});

test("ACLs enabled: canned ACLs, grant headers and AccessControlPolicy on buckets and objects; Block Public Access on ACLs", async () => {
  const s3 = client();
  const id = await ownerId(s3);
  const b = await bucket(s3, { ObjectOwnership: "ObjectWriter" });
  const me = { ID: id, Type: "CanonicalUser" as const };
  // Public ACLs are refused while BlockPublicAcls is on.
  await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "public-read" })), "AccessDenied", 403);
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));

  await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "public-read" }));
  assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants, [
    { Grantee: me, Permission: "FULL_CONTROL" },
    { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" },
  ]);
  await s3.send(new PutBucketAclCommand({ Bucket: b, GrantRead: `uri="${LOG_DELIVERY}"` }));
  const grant = await s3.send(new GetBucketAclCommand({ Bucket: b }));
  assert.deepEqual(grant.Grants, [{ Grantee: { Type: "Group", URI: LOG_DELIVERY }, Permission: "READ" }]);
  assert.deepEqual(grant.Owner, { ID: id });
  const acp: AccessControlPolicy = {
    Owner: { ID: id },
    Grants: [
      { Grantee: me, Permission: "FULL_CONTROL" },
      { Grantee: { Type: "Group", URI: LOG_DELIVERY }, Permission: "WRITE" },
    ],
  };
  await s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: acp }));
  assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants, acp.Grants);

  await s3.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "x", ACL: "public-read" }));
  assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "o" }))).Grants, [
    { Grantee: me, Permission: "FULL_CONTROL" },
    { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" },
  ]);
  await s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", ACL: "private" }));
  assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "o" }))).Grants, [{ Grantee: me, Permission: "FULL_CONTROL" }]);
  await s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", AccessControlPolicy: acp }));
  assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "o" }))).Grants, acp.Grants);
  await rejects(s3.send(new GetObjectAclCommand({ Bucket: b, Key: "missing" })), "NoSuchKey", 404);
});

test("a bucket ACL opens what its permission covers to other accounts; IgnorePublicAcls drops public grants", async () => {
  const s3 = client();
  const otherAccount = randomAccount();
  const other = client(otherAccount);
  const otherId = await ownerId(other);
  const b = await bucket(s3, { ObjectOwnership: "ObjectWriter" });
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  await rejects(other.send(new ListObjectsV2Command({ Bucket: b })), "AccessDenied", 403, "Access Denied");
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
  await s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "public-read" }));
  // Public grants count for nothing while IgnorePublicAcls is on…
  await rejects(other.send(new ListObjectsV2Command({ Bucket: b })), "AccessDenied", 403, "Access Denied");
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: false } }));
  // …and READ lists the bucket, but does not let anyone write to it.
  assert.deepEqual(
    (await other.send(new ListObjectsV2Command({ Bucket: b }))).Contents?.map((o) => o.Key),
    ["k"],
  );
  await rejects(other.send(new PutObjectCommand({ Bucket: b, Key: "w", Body: "y" })), "AccessDenied", 403, "Access Denied");
  await s3.send(new PutBucketAclCommand({ Bucket: b, GrantWrite: `id="${otherId}"`, GrantFullControl: `id="${await ownerId(s3)}"` }));
  await other.send(new PutObjectCommand({ Bucket: b, Key: "w", Body: "y" }));
  await rejects(other.send(new ListObjectsV2Command({ Bucket: b })), "AccessDenied", 403, "Access Denied");
  await rejects(other.send(new GetBucketAclCommand({ Bucket: b })), "AccessDenied", 403, "Access Denied");
  assert.deepEqual(
    (await s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents?.map((o) => o.Key),
    ["k", "w"],
  );
});

test("object ownership of another account's writes: the bucket owner's with ACLs disabled, or with BucketOwnerPreferred and bucket-owner-full-control", async () => {
  const s3 = client();
  const id = await ownerId(s3);
  const otherAccount = randomAccount();
  const other = client(otherAccount);
  const otherId = await ownerId(other);
  const owners = async (b: string) =>
    Object.fromEntries(((await s3.send(new ListObjectsV2Command({ Bucket: b, FetchOwner: true }))).Contents ?? []).map((o) => [o.Key, o.Owner?.ID]));

  const enforced = await bucket(s3);
  const policy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${otherAccount}:root` }, Action: "s3:PutObject", Resource: `arn:aws:s3:::${enforced}/*` }],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: enforced, Policy: JSON.stringify(policy) }));
  await other.send(new PutObjectCommand({ Bucket: enforced, Key: "theirs", Body: "x" }));
  assert.deepEqual(await owners(enforced), { theirs: id });
  assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: enforced, Key: "theirs" }))).Owner, { ID: id });

  const preferred = await bucket(s3, { ObjectOwnership: "BucketOwnerPreferred" });
  await s3.send(new PutBucketAclCommand({ Bucket: preferred, GrantWrite: `id="${otherId}"`, GrantFullControl: `id="${id}"` }));
  await other.send(new PutObjectCommand({ Bucket: preferred, Key: "given", Body: "x", ACL: "bucket-owner-full-control" }));
  await other.send(new PutObjectCommand({ Bucket: preferred, Key: "kept", Body: "x" }));
  assert.deepEqual(await owners(preferred), { given: id, kept: otherId });
});

test("ACL validation as AWS answers it: canned names, grant headers, AccessControlPolicy documents, mixing them", async () => {
  const s3 = client();
  const id = await ownerId(s3);
  // The checks come before Object Ownership's: this bucket has ACLs disabled, as in AWS's recording.
  const b = await bucket(s3);
  await s3.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "x" }));
  const invalid = async (p: Promise<unknown>, argName: string, argValue: string | undefined, message: string) => {
    await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number }; ArgumentName?: string; ArgumentValue?: string }) => {
      assert.equal(e.name, "InvalidArgument");
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.equal(e.ArgumentName, argName);
      assert.equal(e.ArgumentValue, argValue);
      if (message) assert.equal(e.message, message);
      return true;
    });
  };
  await invalid(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "fake-acl" as never })), "x-amz-acl", "fake-acl", "");
  await invalid(s3.send(new PutObjectCommand({ Bucket: b, Key: "n", Body: "x", ACL: "fake-acl" as never })), "x-amz-acl", "fake-acl", "");
  await invalid(s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", ACL: "fake-acl" as never })), "x-amz-acl", "fake-acl", "");
  const fakeGroup = "http://acs.amazonaws.com/groups/s3/FakeGroup";
  await invalid(s3.send(new PutBucketAclCommand({ Bucket: b, GrantWrite: `uri="${fakeGroup}"` })), "uri", fakeGroup, "Invalid group uri");
  await invalid(
    s3.send(new PutBucketAclCommand({ Bucket: b, GrantWrite: 'fakekey="1234"' })),
    "x-amz-grant-write",
    'fakekey="1234"',
    "Argument format not recognized",
  );
  await invalid(s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", GrantWrite: 'id="wrong-id"' })), "id", "wrong-id", "Invalid id");

  const acp = (owner: { ID?: string } | undefined, grantee: Record<string, string>, permission = "WRITE") =>
    ({ ...(owner ? { Owner: owner } : {}), Grants: [{ Grantee: grantee, Permission: permission }] }) as unknown as AccessControlPolicy;
  const group = { Type: "Group", URI: LOG_DELIVERY };
  await rejects(s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: acp(undefined, group) })), "MalformedACLError", 400, MALFORMED_XML);
  await rejects(
    s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: acp({ ID: id }, group, "WRONG-PERMISSION") })),
    "MalformedACLError",
    400,
    MALFORMED_XML,
  );
  await invalid(
    s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: acp({ ID: "wrong-id" }, group, "FULL_CONTROL") })),
    "CanonicalUser/ID",
    "wrong-id",
    "Invalid id",
  );
  await invalid(
    s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", AccessControlPolicy: acp({ ID: id }, { Type: "Group", URI: fakeGroup }) })),
    "Group/URI",
    fakeGroup,
    "Invalid group uri",
  );
  await invalid(
    s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", AccessControlPolicy: acp({ ID: id }, { Type: "CanonicalUser", ID: "wrong-id" }) })),
    "CanonicalUser/ID",
    "wrong-id",
    "Invalid id",
  );
  await rejects(
    s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", AccessControlPolicy: acp({ ID: id }, { Type: "BadType", ID: id }) })),
    "MalformedACLError",
    400,
    MALFORMED_XML,
  );
  await assert.rejects(
    s3.send(new PutBucketAclCommand({ Bucket: b })),
    (e: Error & { $metadata?: { httpStatusCode?: number }; MissingHeaderName?: string }) => {
      assert.equal(e.name, "MissingSecurityHeader");
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.equal(e.message, "Your request was missing a required header");
      assert.equal(e.MissingHeaderName, "x-amz-acl");
      return true;
    },
  );
  await rejects(
    s3.send(new PutBucketAclCommand({ Bucket: b, ACL: "private", GrantRead: `uri="${LOG_DELIVERY}"` })),
    "InvalidRequest",
    400,
    "Specifying both Canned ACLs and Header Grants is not allowed",
  );
  await rejects(
    s3.send(new PutObjectAclCommand({ Bucket: b, Key: "o", ACL: "private", AccessControlPolicy: acp({ ID: id }, group) })),
    "UnexpectedContent",
    400,
    "This request does not support content",
  );
});

test("restart: ownership, Block Public Access, encryption and ACLs survive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-s3-acl-"));
  try {
    const account = randomAccount();
    let srv = await startTestServer({ dataDir: dir });
    let s3 = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
    const b = name();
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: "ObjectWriter" }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: false, BlockPublicPolicy: true } }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "x", ACL: "public-read" }));
    const rule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" as const, KMSMasterKeyID: "alias/aws/s3" }, BucketKeyEnabled: true };
    await s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [rule] } }));
    await srv.close();
    srv = await startTestServer({ dataDir: dir });
    s3 = new S3Client({ ...srv.clientConfig({ account }), forcePathStyle: true });
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))).OwnershipControls?.Rules, [{ ObjectOwnership: "ObjectWriter" }]);
    assert.equal((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration?.BlockPublicPolicy, true);
    assert.equal((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "o" }))).Grants?.[1]?.Grantee?.URI, ALL_USERS);
    assert.deepEqual((await s3.send(new GetBucketEncryptionCommand({ Bucket: b }))).ServerSideEncryptionConfiguration?.Rules, [rule]);
    await srv.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("boto3: ownership controls, public access block, ACLs and encryption", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json, sys
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="${account}", aws_secret_access_key="test")
b = sys.argv[2]
out = {}
s3.create_bucket(Bucket=b)
out["ownership"] = s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"]
out["pab"] = s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]
out["enc"] = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
try:
    s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read")
except ClientError as e:
    out["acl_error"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
s3.delete_bucket_ownership_controls(Bucket=b)
s3.delete_public_access_block(Bucket=b)
try:
    s3.get_bucket_ownership_controls(Bucket=b)
except ClientError as e:
    out["no_ownership"] = e.response["Error"]["Code"]
s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read", ServerSideEncryption="aws:kms")
acl = s3.get_object_acl(Bucket=b, Key="k")
out["grants"] = [[g["Grantee"]["Type"], g["Grantee"].get("URI"), g["Permission"]] for g in acl["Grants"]]
out["sse"] = s3.head_object(Bucket=b, Key="k")["ServerSideEncryption"]
print(json.dumps(out))
`;
  const b = name();
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("python3", ["-c", script, server.url, b], { env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ownership, [{ ObjectOwnership: "BucketOwnerEnforced" }]);
  assert.deepEqual(out.pab, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  assert.deepEqual(out.enc, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }]);
  assert.deepEqual(out.acl_error, ["AccessControlListNotSupported", "The bucket does not allow ACLs", 400]);
  assert.equal(out.no_ownership, "OwnershipControlsNotFoundError");
  assert.deepEqual(out.grants, [
    ["CanonicalUser", null, "FULL_CONTROL"],
    ["Group", ALL_USERS, "READ"],
  ]);
  assert.equal(out.sse, "aws:kms");
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: bucket encryption, public access block, ACLs", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`AWS CLI ${cli.label}: bucket encryption, public access block, ownership and ACLs`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => runAws(cli, server.url, args, creds);
    const b = name();
    assert.equal((await aws("s3api", "create-bucket", "--bucket", b)).status, 0);
    const conf = JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true }] });
    const put = await aws("s3api", "put-bucket-encryption", "--bucket", b, "--server-side-encryption-configuration", conf);
    assert.equal(put.status, 0, put.stderr);
    const got = await aws("s3api", "get-bucket-encryption", "--bucket", b);
    assert.deepEqual(JSON.parse(got.stdout).ServerSideEncryptionConfiguration.Rules, [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true },
    ]);
    const pab = await aws("s3api", "get-public-access-block", "--bucket", b);
    assert.equal(JSON.parse(pab.stdout).PublicAccessBlockConfiguration.BlockPublicPolicy, true);
    const denied = await aws("s3api", "put-bucket-acl", "--bucket", b, "--acl", "public-read");
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /\(AccessControlListNotSupported\) when calling the PutBucketAcl operation: The bucket does not allow ACLs/);
    assert.equal((await aws("s3api", "delete-bucket-ownership-controls", "--bucket", b)).status, 0);
    const missing = await aws("s3api", "get-bucket-ownership-controls", "--bucket", b);
    assert.match(missing.stderr, /\(OwnershipControlsNotFoundError\).*The bucket ownership controls were not found/);
    const acl = await aws("s3api", "get-bucket-acl", "--bucket", b);
    assert.equal(JSON.parse(acl.stdout).Grants[0].Permission, "FULL_CONTROL");
  });
}
