// IAM users and groups through the real SDK v3 client: CRUD, paging, the caller's own user, errors as AWS words them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateUserCommand,
  DeleteUserCommand,
  CreateGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  AddUserToGroupCommand,
  RemoveUserFromGroupCommand,
  ListGroupsForUserCommand,
  DeleteGroupCommand,
  UpdateGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  ListUserTagsCommand,
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  UpdateLoginProfileCommand,
  DeleteLoginProfileCommand,
  CreateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = (account?: string) => server.client(IAMClient, { account });

test("create, get, update, list and delete a user", async () => {
  const iam = client();
  const { User } = await iam.send(new CreateUserCommand({ UserName: "bob", Path: "/eng/", Tags: [{ Key: "team", Value: "core" }] }));
  assert.match(User!.UserId!, /^AIDA[A-Z0-9]{17}$/);
  assert.match(User!.Arn!, /^arn:aws:iam::\d{12}:user\/eng\/bob$/);
  assert.ok(User!.CreateDate instanceof Date);
  assert.deepEqual(User!.Tags, [{ Key: "team", Value: "core" }]);

  const got = await iam.send(new GetUserCommand({ UserName: "bob" }));
  assert.equal(got.User!.UserId, User!.UserId);
  assert.equal(got.User!.Path, "/eng/");

  await iam.send(new UpdateUserCommand({ UserName: "bob", NewUserName: "robert", NewPath: "/ops/" }));
  await rejects(iam.send(new GetUserCommand({ UserName: "bob" })), "NoSuchEntityException", 404, "The user with name bob cannot be found.");
  const renamed = await iam.send(new GetUserCommand({ UserName: "robert" }));
  assert.equal(renamed.User!.Arn, User!.Arn!.replace("/eng/bob", "/ops/robert"));
  assert.equal(renamed.User!.UserId, User!.UserId);

  await iam.send(new DeleteUserCommand({ UserName: "robert" }));
  const list = await iam.send(new ListUsersCommand({}));
  assert.deepEqual(list.Users, []);
});

test("duplicate names conflict regardless of case", async () => {
  const iam = client();
  await iam.send(new CreateUserCommand({ UserName: "Bob" }));
  await rejects(iam.send(new CreateUserCommand({ UserName: "bob" })), "EntityAlreadyExistsException", 409, "User with name bob already exists.");
});

test("ListUsers pages with MaxItems and opaque markers, and filters by PathPrefix", async () => {
  const iam = client();
  for (const n of ["u1", "u2", "u3"]) await iam.send(new CreateUserCommand({ UserName: n, Path: n === "u2" ? "/x/" : "/" }));
  const seen: string[] = [];
  let Marker: string | undefined;
  do {
    const p = await iam.send(new ListUsersCommand({ MaxItems: 1, Marker }));
    assert.equal(p.Users!.length, 1);
    seen.push(p.Users![0].UserName!);
    Marker = p.IsTruncated ? p.Marker : undefined;
    if (p.IsTruncated) assert.ok(p.Marker);
  } while (Marker);
  assert.deepEqual(seen, ["u1", "u2", "u3"]);
  const x = await iam.send(new ListUsersCommand({ PathPrefix: "/x/" }));
  assert.deepEqual(
    x.Users!.map((u) => u.UserName),
    ["u2"],
  );
});

test("a 65-character user name fails model validation with AWS's wording", async () => {
  const name = "a".repeat(65);
  await rejects(
    client().send(new CreateUserCommand({ UserName: name })),
    "ValidationError",
    400,
    `1 validation error detected: Value '${name}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
  );
});

test("GetUser without a name: root gets the root user, an IAM user gets itself", async () => {
  const account = "210987654321";
  const root = client(account);
  const me = await root.send(new GetUserCommand({}));
  assert.equal(me.User!.Arn, `arn:aws:iam::${account}:root`);
  assert.equal(me.User!.UserId, account);

  await root.send(new CreateUserCommand({ UserName: "alice" }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "alice" }));
  const alice = server.client(IAMClient, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  const self = await alice.send(new GetUserCommand({}));
  assert.equal(self.User!.UserName, "alice");
  assert.equal(self.User!.Arn, `arn:aws:iam::${account}:user/alice`);
});

test("tags on users: tag, overwrite, untag, list", async () => {
  const iam = client();
  await iam.send(new CreateUserCommand({ UserName: "t" }));
  await iam.send(
    new TagUserCommand({
      UserName: "t",
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
      ],
    }),
  );
  await iam.send(new TagUserCommand({ UserName: "t", Tags: [{ Key: "a", Value: "3" }] }));
  await iam.send(new UntagUserCommand({ UserName: "t", TagKeys: ["b"] }));
  const { Tags } = await iam.send(new ListUserTagsCommand({ UserName: "t" }));
  assert.deepEqual(Tags, [{ Key: "a", Value: "3" }]);
  await rejects(iam.send(new TagUserCommand({ UserName: "nope", Tags: [{ Key: "a", Value: "1" }] })), "NoSuchEntityException", 404);
});

test("groups: membership both ways, rename, delete conflicts", async () => {
  const iam = client();
  const { Group } = await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
  assert.match(Group!.GroupId!, /^AGPA[A-Z0-9]{17}$/);
  assert.match(Group!.Arn!, /:group\/devs$/);
  await rejects(iam.send(new CreateGroupCommand({ GroupName: "devs" })), "EntityAlreadyExistsException", 409, "Group with name devs already exists.");
  await iam.send(new CreateUserCommand({ UserName: "ann" }));
  await iam.send(new CreateUserCommand({ UserName: "ben" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "ann" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "ben" }));

  const g = await iam.send(new GetGroupCommand({ GroupName: "devs" }));
  assert.deepEqual(
    g.Users!.map((u) => u.UserName),
    ["ann", "ben"],
  );
  const page1 = await iam.send(new GetGroupCommand({ GroupName: "devs", MaxItems: 1 }));
  assert.equal(page1.IsTruncated, true);
  const page2 = await iam.send(new GetGroupCommand({ GroupName: "devs", MaxItems: 1, Marker: page1.Marker }));
  assert.deepEqual(
    page2.Users!.map((u) => u.UserName),
    ["ben"],
  );
  assert.equal(page2.IsTruncated, false);

  const forAnn = await iam.send(new ListGroupsForUserCommand({ UserName: "ann" }));
  assert.deepEqual(
    forAnn.Groups!.map((x) => x.GroupName),
    ["devs"],
  );

  await rejects(
    iam.send(new DeleteUserCommand({ UserName: "ann" })),
    "DeleteConflictException",
    409,
    "Cannot delete entity, must remove users from group first.",
  );
  await rejects(
    iam.send(new DeleteGroupCommand({ GroupName: "devs" })),
    "DeleteConflictException",
    409,
    "Cannot delete entity, must remove users from group first.",
  );

  await iam.send(new UpdateGroupCommand({ GroupName: "devs", NewGroupName: "builders" }));
  const renamed = await iam.send(new ListGroupsForUserCommand({ UserName: "ben" }));
  assert.deepEqual(
    renamed.Groups!.map((x) => x.GroupName),
    ["builders"],
  );

  await iam.send(new RemoveUserFromGroupCommand({ GroupName: "builders", UserName: "ann" }));
  await iam.send(new RemoveUserFromGroupCommand({ GroupName: "builders", UserName: "ben" }));
  await iam.send(new DeleteGroupCommand({ GroupName: "builders" }));
  assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups, []);
  await rejects(iam.send(new GetGroupCommand({ GroupName: "builders" })), "NoSuchEntityException", 404, "The group with name builders cannot be found.");
});

test("login profiles: create, get, update, delete, and DeleteUser waits for them", async () => {
  const iam = client();
  await iam.send(new CreateUserCommand({ UserName: "web" }));
  const { LoginProfile } = await iam.send(new CreateLoginProfileCommand({ UserName: "web", Password: "Sup3r-secret!", PasswordResetRequired: true }));
  assert.equal(LoginProfile!.UserName, "web");
  assert.equal(LoginProfile!.PasswordResetRequired, true);
  await rejects(iam.send(new CreateLoginProfileCommand({ UserName: "web", Password: "x-Another1" })), "EntityAlreadyExistsException", 409);
  await rejects(iam.send(new DeleteUserCommand({ UserName: "web" })), "DeleteConflictException", 409, "Cannot delete entity, must delete login profile first.");
  await iam.send(new UpdateLoginProfileCommand({ UserName: "web", PasswordResetRequired: false }));
  assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: "web" }))).LoginProfile!.PasswordResetRequired, false);
  await iam.send(new DeleteLoginProfileCommand({ UserName: "web" }));
  await rejects(iam.send(new GetLoginProfileCommand({ UserName: "web" })), "NoSuchEntityException", 404, "Login Profile for User web cannot be found.");
  await iam.send(new DeleteUserCommand({ UserName: "web" }));
});
