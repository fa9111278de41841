// SSM documents through the real SDK v3 client: create (JSON, YAML), versions, default version, get with format
// conversion, describe, list with filters and paging, delete, sharing, tags, AWS's own documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SSMClient,
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
  ModifyDocumentPermissionCommand,
  RemoveTagsFromResourceCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type ListDocumentsCommandInput,
} from "@aws-sdk/client-ssm";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const commandDoc = (message = "hello") =>
  JSON.stringify({
    schemaVersion: "2.2",
    description: "Say something",
    parameters: { Message: { type: "String", description: "What to say", default: message } },
    mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ Message }}"] } }],
  });

const yamlDoc = `schemaVersion: "2.2"
description: From YAML
parameters:
  Names:
    type: StringList
    description: Who
mainSteps:
  - action: aws:runPowerShellScript
    name: greet
    inputs:
      runCommand:
        - Write-Output hi
`;

test("CreateDocument answers Creating with the content's facts; DescribeDocument then says Active", async () => {
  const ssm = server.client(SSMClient);
  const { DocumentDescription: d } = await ssm.send(
    new CreateDocumentCommand({ Name: "say-hello", Content: commandDoc(), VersionName: "first", Tags: [{ Key: "team", Value: "ops" }] }),
  );
  assert.equal(d!.Status, "Creating");
  assert.deepEqual(
    [d!.Name, d!.DocumentType, d!.DocumentFormat, d!.SchemaVersion, d!.DocumentVersion, d!.LatestVersion, d!.DefaultVersion, d!.VersionName, d!.HashType],
    ["say-hello", "Command", "JSON", "2.2", "1", "1", "1", "first", "Sha256"],
  );
  assert.match(d!.Hash!, /^[0-9a-f]{64}$/);
  assert.equal(d!.Description, "Say something");
  assert.deepEqual(d!.Parameters, [{ Name: "Message", Type: "String", Description: "What to say", DefaultValue: "hello" }]);
  assert.deepEqual(d!.PlatformTypes, ["Linux", "MacOS"]);
  assert.deepEqual(d!.Tags, [{ Key: "team", Value: "ops" }]);
  assert.match(d!.Owner!, /^\d{12}$/);
  const described = (await ssm.send(new DescribeDocumentCommand({ Name: "say-hello" }))).Document!;
  assert.equal(described.Status, "Active");
  assert.equal(described.Hash, d!.Hash);

  await rejects(
    ssm.send(new CreateDocumentCommand({ Name: "say-hello", Content: commandDoc("x") })),
    "DocumentAlreadyExists",
    400,
    "The specified document already exists.",
  );
});

test("CreateDocument refuses reserved names, unreadable content, a missing or unsupported schemaVersion", async () => {
  const ssm = server.client(SSMClient);
  for (const Name of ["AWS-Mine", "aws-mine", "AmazonThing", "amzn_doc"]) {
    await rejects(ssm.send(new CreateDocumentCommand({ Name, Content: commandDoc() })), "ValidationException", 400, `Invalid document name ${Name}`);
  }
  // "aws" without its hyphen is not reserved.
  await ssm.send(new CreateDocumentCommand({ Name: "awsome-doc", Content: commandDoc() }));
  await rejects(ssm.send(new CreateDocumentCommand({ Name: "bad-json", Content: "{not json" })), "InvalidDocumentContent", 400);
  await rejects(ssm.send(new CreateDocumentCommand({ Name: "bad-yaml", Content: "a: [1, 2", DocumentFormat: "YAML" })), "InvalidDocumentContent", 400);
  await rejects(ssm.send(new CreateDocumentCommand({ Name: "no-schema", Content: JSON.stringify({ description: "x" }) })), "InvalidDocumentContent", 400);
  await rejects(
    ssm.send(new CreateDocumentCommand({ Name: "wrong-schema", Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [] }), DocumentType: "Command" })),
    "InvalidDocumentSchemaVersion",
    400,
  );
  await ssm.send(
    new CreateDocumentCommand({
      Name: "an-automation",
      Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [{ name: "s", action: "aws:sleep", inputs: { Duration: "PT1S" } }] }),
      DocumentType: "Automation",
    }),
  );
  // The model's name pattern is checked before the handler runs.
  await rejects(ssm.send(new CreateDocumentCommand({ Name: "no spaces", Content: commandDoc() })), "ValidationException", 400);
  await rejects(
    ssm.send(new CreateDocumentCommand({ Name: "too-big", Content: JSON.stringify({ schemaVersion: "2.2", description: "x".repeat(70_000) }) })),
    "MaxDocumentSizeExceeded",
    400,
  );
});

test("GetDocument converts between JSON and YAML and keeps the content as sent in its own format", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new CreateDocumentCommand({ Name: "from-yaml", Content: yamlDoc, DocumentFormat: "YAML" }));
  const asIs = await ssm.send(new GetDocumentCommand({ Name: "from-yaml" }));
  assert.deepEqual([asIs.Content, asIs.DocumentFormat, asIs.DocumentVersion, asIs.Status, asIs.DocumentType], [yamlDoc, "YAML", "1", "Active", "Command"]);
  const asJson = await ssm.send(new GetDocumentCommand({ Name: "from-yaml", DocumentFormat: "JSON" }));
  assert.equal(asJson.DocumentFormat, "JSON");
  const parsed = JSON.parse(asJson.Content!);
  assert.equal(parsed.schemaVersion, "2.2");
  assert.deepEqual(parsed.mainSteps[0].inputs.runCommand, ["Write-Output hi"]);
  const d = (await ssm.send(new DescribeDocumentCommand({ Name: "from-yaml" }))).Document!;
  assert.deepEqual(d.PlatformTypes, ["Windows"]);
  assert.deepEqual(d.Parameters, [{ Name: "Names", Type: "StringList", Description: "Who" }]);

  await ssm.send(new CreateDocumentCommand({ Name: "from-json", Content: commandDoc() }));
  const asYaml = await ssm.send(new GetDocumentCommand({ Name: "from-json", DocumentFormat: "YAML" }));
  assert.equal(asYaml.DocumentFormat, "YAML");
  assert.match(asYaml.Content!, /^schemaVersion: "2\.2"$/m);
  assert.match(asYaml.Content!, /action: aws:runShellScript/);

  await rejects(ssm.send(new GetDocumentCommand({ Name: "nope-doc" })), "InvalidDocument", 400, "The specified document does not exist.");
  await rejects(
    ssm.send(new GetDocumentCommand({ Name: "from-json", DocumentVersion: "7" })),
    "InvalidDocument",
    400,
    "The specified document does not exist.",
  );
});

test("UpdateDocument adds versions; duplicates, stale versions and name clashes are refused; the default version moves", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new CreateDocumentCommand({ Name: "versioned", Content: commandDoc("one"), VersionName: "v-one" }));
  const u = (await ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc("two"), DocumentVersion: "$LATEST", VersionName: "v-two" })))
    .DocumentDescription!;
  assert.deepEqual([u.DocumentVersion, u.LatestVersion, u.DefaultVersion, u.Status, u.VersionName], ["2", "2", "1", "Updating", "v-two"]);

  await rejects(
    ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc("one"), DocumentVersion: "$LATEST" })),
    "DuplicateDocumentContent",
    400,
  );
  await rejects(
    ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc("three"), DocumentVersion: "$LATEST", VersionName: "v-one" })),
    "DuplicateDocumentVersionName",
    400,
    "The specified version name is a duplicate.",
  );
  await rejects(
    ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc("three"), DocumentVersion: "1" })),
    "InvalidDocumentVersion",
    400,
    "The document version is not valid or does not exist.",
  );
  await rejects(ssm.send(new UpdateDocumentCommand({ Name: "nope-doc", Content: commandDoc() })), "InvalidDocument", 400);

  // The default stays on version 1 until it is moved.
  assert.match((await ssm.send(new GetDocumentCommand({ Name: "versioned" }))).Content!, /"one"/);
  assert.match((await ssm.send(new GetDocumentCommand({ Name: "versioned", VersionName: "v-two" }))).Content!, /"two"/);
  assert.match((await ssm.send(new GetDocumentCommand({ Name: "versioned", DocumentVersion: "$LATEST" }))).Content!, /"two"/);
  const moved = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "versioned", DocumentVersion: "2" }));
  assert.deepEqual(moved.Description, { Name: "versioned", DefaultVersion: "2", DefaultVersionName: "v-two" });
  assert.match((await ssm.send(new GetDocumentCommand({ Name: "versioned" }))).Content!, /"two"/);
  await rejects(ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "versioned", DocumentVersion: "9" })), "InvalidDocumentVersion", 400);

  const versions = (await ssm.send(new ListDocumentVersionsCommand({ Name: "versioned" }))).DocumentVersions!;
  assert.deepEqual(
    versions.map((v) => [v.DocumentVersion, v.VersionName, v.IsDefaultVersion, v.DocumentFormat, v.Status]),
    [
      ["1", "v-one", false, "JSON", "Active"],
      ["2", "v-two", true, "JSON", "Active"],
    ],
  );
  const page1 = await ssm.send(new ListDocumentVersionsCommand({ Name: "versioned", MaxResults: 1 }));
  assert.equal(page1.DocumentVersions!.length, 1);
  const page2 = await ssm.send(new ListDocumentVersionsCommand({ Name: "versioned", MaxResults: 1, NextToken: page1.NextToken }));
  assert.deepEqual([page2.DocumentVersions![0].DocumentVersion, page2.NextToken], ["2", undefined]);
});

test("TEXT content is a change calendar's (iCalendar); other types refuse it", async () => {
  const ssm = server.client(SSMClient);
  const ics = "BEGIN:VCALENDAR\r\nPRODID:-//example//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_OPEN\r\nEND:VCALENDAR\r\n";
  const d = (await ssm.send(new CreateDocumentCommand({ Name: "freeze-calendar", Content: ics, DocumentType: "ChangeCalendar", DocumentFormat: "TEXT" })))
    .DocumentDescription!;
  assert.deepEqual([d.DocumentType, d.DocumentFormat], ["ChangeCalendar", "TEXT"]);
  assert.equal((await ssm.send(new GetDocumentCommand({ Name: "freeze-calendar" }))).Content, ics);
  await rejects(ssm.send(new CreateDocumentCommand({ Name: "text-command", Content: ics, DocumentFormat: "TEXT" })), "InvalidDocumentContent", 400);
  await rejects(ssm.send(new GetDocumentCommand({ Name: "freeze-calendar", DocumentFormat: "JSON" })), "ValidationException", 400);
});

test("schema 1.2 documents cannot be updated", async () => {
  const ssm = server.client(SSMClient);
  const old = JSON.stringify({
    schemaVersion: "1.2",
    description: "old",
    runtimeConfig: { "aws:runShellScript": { properties: [{ id: "0", runCommand: ["ls"] }] } },
  });
  await ssm.send(new CreateDocumentCommand({ Name: "old-schema", Content: old }));
  await rejects(ssm.send(new UpdateDocumentCommand({ Name: "old-schema", Content: commandDoc() })), "InvalidDocumentSchemaVersion", 400);
});

test("DeleteDocument removes a version (never the default) or the whole document; a shared one must be unshared first", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new CreateDocumentCommand({ Name: "to-delete", Content: commandDoc("one") }));
  await ssm.send(new UpdateDocumentCommand({ Name: "to-delete", Content: commandDoc("two"), VersionName: "second" }));
  await rejects(ssm.send(new DeleteDocumentCommand({ Name: "to-delete", DocumentVersion: "1" })), "InvalidDocumentOperation", 400);
  await ssm.send(new DeleteDocumentCommand({ Name: "to-delete", VersionName: "second" }));
  assert.deepEqual(
    (await ssm.send(new ListDocumentVersionsCommand({ Name: "to-delete" }))).DocumentVersions!.map((v) => v.DocumentVersion),
    ["1"],
  );
  // Version numbers keep growing after a deleted one.
  assert.equal((await ssm.send(new UpdateDocumentCommand({ Name: "to-delete", Content: commandDoc("three") }))).DocumentDescription!.DocumentVersion, "3");

  await ssm.send(new ModifyDocumentPermissionCommand({ Name: "to-delete", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] }));
  await rejects(
    ssm.send(new DeleteDocumentCommand({ Name: "to-delete" })),
    "InvalidDocumentOperation",
    400,
    "You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.",
  );
  await ssm.send(new ModifyDocumentPermissionCommand({ Name: "to-delete", PermissionType: "Share", AccountIdsToRemove: ["111122223333"] }));
  await ssm.send(new DeleteDocumentCommand({ Name: "to-delete" }));
  await rejects(ssm.send(new DescribeDocumentCommand({ Name: "to-delete" })), "InvalidDocument", 400, "The specified document does not exist.");
  await rejects(ssm.send(new DeleteDocumentCommand({ Name: "to-delete" })), "InvalidDocument", 400, "The specified document does not exist.");
});

test("sharing: an account reads a document shared with it by ARN, public sharing reaches everyone, ListDocuments shows them", async () => {
  const owner = randomAccount();
  const reader = randomAccount();
  const stranger = randomAccount();
  const ssm = server.client(SSMClient, { account: owner });
  const other = server.client(SSMClient, { account: reader });
  const third = server.client(SSMClient, { account: stranger });
  await ssm.send(new CreateDocumentCommand({ Name: "shared-doc", Content: commandDoc() }));
  const arn = `arn:aws:ssm:us-east-1:${owner}:document/shared-doc`;
  await rejects(other.send(new DescribeDocumentCommand({ Name: arn })), "InvalidDocument", 400);

  await ssm.send(
    new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: [reader], SharedDocumentVersion: "$LATEST" }),
  );
  const perms = await ssm.send(new DescribeDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share" }));
  assert.deepEqual(perms.AccountIds, [reader]);
  assert.deepEqual(perms.AccountSharingInfoList, [{ AccountId: reader, SharedDocumentVersion: "$LATEST" }]);
  const seen = (await other.send(new DescribeDocumentCommand({ Name: arn }))).Document!;
  assert.deepEqual([seen.Name, seen.Owner], ["shared-doc", owner]);
  assert.deepEqual(
    (await other.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Private"] }] }))).DocumentIdentifiers!.map((d) => [d.Name, d.Owner]),
    [["shared-doc", owner]],
  );
  await rejects(third.send(new GetDocumentCommand({ Name: arn })), "InvalidDocument", 400);
  // The reader cannot change or delete what it does not own.
  await rejects(other.send(new UpdateDocumentCommand({ Name: "shared-doc", Content: commandDoc("mine") })), "InvalidDocument", 400);

  await rejects(
    ssm.send(new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: ["All", reader] })),
    "DocumentPermissionLimit",
    400,
  );
  await ssm.send(new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: ["All"] }));
  assert.deepEqual((await ssm.send(new DescribeDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share" }))).AccountIds, ["all"]);
  assert.equal((await third.send(new GetDocumentCommand({ Name: arn }))).Name, "shared-doc");
  const publicOnes = (await third.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Public"] }] }))).DocumentIdentifiers!;
  assert.ok(publicOnes.some((d) => d.Name === "shared-doc" && d.Owner === owner));
  // Model validation: account ids are 12 digits or "all".
  await rejects(
    ssm.send(new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: ["12"] })),
    "ValidationException",
    400,
  );
});

test("ListDocuments: the account's own, AWS's, filters by owner, name prefix, type, platform and tag, paged", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new CreateDocumentCommand({ Name: "list-a", Content: commandDoc(), Tags: [{ Key: "env", Value: "prod" }] }));
  await ssm.send(new CreateDocumentCommand({ Name: "list-b", Content: yamlDoc, DocumentFormat: "YAML" }));
  await ssm.send(
    new CreateDocumentCommand({
      Name: "other-c",
      Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [{ name: "s", action: "aws:sleep", inputs: { Duration: "PT1S" } }] }),
      DocumentType: "Automation",
    }),
  );
  const names = async (input: ListDocumentsCommandInput) => (await ssm.send(new ListDocumentsCommand(input))).DocumentIdentifiers!.map((d) => d.Name);

  assert.deepEqual(await names({ Filters: [{ Key: "Owner", Values: ["Self"] }] }), ["list-a", "list-b", "other-c"]);
  assert.deepEqual(await names({ Filters: [{ Key: "Owner", Values: ["Amazon"] }] }), ["AWS-RunPowerShellScript", "AWS-RunShellScript"]);
  assert.deepEqual(await names({}), ["AWS-RunPowerShellScript", "AWS-RunShellScript", "list-a", "list-b", "other-c"]);
  assert.deepEqual(await names({ Filters: [{ Key: "Name", Values: ["list-"] }] }), ["list-a", "list-b"]);
  assert.deepEqual(
    await names({
      Filters: [
        { Key: "Owner", Values: ["Self"] },
        { Key: "DocumentType", Values: ["Automation"] },
      ],
    }),
    ["other-c"],
  );
  assert.deepEqual(
    await names({
      Filters: [
        { Key: "Owner", Values: ["Self"] },
        { Key: "PlatformTypes", Values: ["Windows"] },
      ],
    }),
    ["list-b", "other-c"],
  );
  assert.deepEqual(await names({ Filters: [{ Key: "tag:env", Values: ["prod"] }] }), ["list-a"]);
  assert.deepEqual(
    await names({
      DocumentFilterList: [
        { key: "Owner", value: "Self" },
        { key: "Name", value: "other" },
      ],
    }),
    ["other-c"],
  );
  const a = (await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Name", Values: ["list-a"] }] }))).DocumentIdentifiers![0];
  assert.deepEqual(
    [a.DocumentType, a.DocumentFormat, a.SchemaVersion, a.DocumentVersion, a.PlatformTypes, a.Tags],
    ["Command", "JSON", "2.2", "1", ["Linux", "MacOS"], [{ Key: "env", Value: "prod" }]],
  );

  const p1 = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 2 }));
  assert.deepEqual(
    p1.DocumentIdentifiers!.map((d) => d.Name),
    ["list-a", "list-b"],
  );
  const p2 = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 2, NextToken: p1.NextToken }));
  assert.deepEqual([p2.DocumentIdentifiers!.map((d) => d.Name), p2.NextToken], [["other-c"], undefined]);
  await rejects(ssm.send(new ListDocumentsCommand({ NextToken: p1.NextToken })), "InvalidNextToken", 400);
  await rejects(ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self", "Amazon"] }] })), "ValidationException", 400);
  await rejects(ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Colour", Values: ["red"] }] })), "InvalidFilterKey", 400);
});

test("AWS's documents are there with Owner Amazon and their published content", async () => {
  const ssm = server.client(SSMClient);
  const d = (await ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }))).Document!;
  assert.deepEqual([d.Owner, d.DocumentType, d.SchemaVersion, d.PlatformTypes], ["Amazon", "Command", "1.2", ["Linux", "MacOS"]]);
  assert.deepEqual(
    d.Parameters!.map((p) => [p.Name, p.Type, p.DefaultValue]),
    [
      ["commands", "StringList", undefined],
      ["workingDirectory", "String", ""],
      ["executionTimeout", "String", "3600"],
    ],
  );
  // The content as AWS serves it, formatting included (awscli/examples/ssm/get-document.rst).
  assert.equal((await ssm.send(new GetDocumentCommand({ Name: "AWS-RunShellScript" }))).Content, RUN_SHELL_SCRIPT);
  const content = JSON.parse((await ssm.send(new GetDocumentCommand({ Name: "AWS-RunPowerShellScript" }))).Content!);
  assert.ok(content.runtimeConfig["aws:runPowerShellScript"]);
  // Also by its ARN, which carries no account.
  assert.equal((await ssm.send(new GetDocumentCommand({ Name: "arn:aws:ssm:us-east-1::document/AWS-RunShellScript" }))).Name, "AWS-RunShellScript");
  // Not the caller's to change.
  await rejects(ssm.send(new DeleteDocumentCommand({ Name: "AWS-RunShellScript" })), "InvalidDocument", 400);
});

test("tags on documents through Add/RemoveTagsFromResource and ListTagsForResource", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new CreateDocumentCommand({ Name: "tagged-doc", Content: commandDoc(), Tags: [{ Key: "a", Value: "1" }] }));
  await ssm.send(new AddTagsToResourceCommand({ ResourceType: "Document", ResourceId: "tagged-doc", Tags: [{ Key: "b", Value: "2" }] }));
  await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Document", ResourceId: "tagged-doc", TagKeys: ["a"] }));
  assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "tagged-doc" }))).TagList, [
    { Key: "b", Value: "2" },
  ]);
  assert.deepEqual((await ssm.send(new DescribeDocumentCommand({ Name: "tagged-doc" }))).Document!.Tags, [{ Key: "b", Value: "2" }]);
  await rejects(
    ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "missing-doc" })),
    "InvalidResourceId",
    400,
    'The resource ID "missing-doc" is not valid. Verify the ID and try again.',
  );
});

const RUN_SHELL_SCRIPT =
  '{\n    "schemaVersion":"1.2",\n    "description":"Run a shell script or specify the commands to run.",\n    "parameters":{\n        "commands":{\n            "type":"StringList",\n            "description":"(Required) Specify a shell script or a command to run.",\n            "minItems":1,\n            "displayType":"textarea"\n        },\n        "workingDirectory":{\n            "type":"String",\n            "default":"",\n            "description":"(Optional) The path to the working directory on your instance.",\n            "maxChars":4096\n        },\n        "executionTimeout":{\n            "type":"String",\n            "default":"3600",\n            "description":"(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).",\n            "allowedPattern":"([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)"\n        }\n    },\n    "runtimeConfig":{\n        "aws:runShellScript":{\n            "properties":[\n                {\n                    "id":"0.aws:runShellScript",\n                    "runCommand":"{{ commands }}",\n                    "workingDirectory":"{{ workingDirectory }}",\n                    "timeoutSeconds":"{{ executionTimeout }}"\n                }\n            ]\n        }\n    }\n}\n';
