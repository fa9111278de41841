// Event buses: the default bus (there without being created), custom buses, and the bus's resource policy built by
// PutPermission / RemovePermission or set whole. Wordings from moto's and LocalStack's AWS-recorded tests.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { statementsOf } from "../../core/policy/index.js";
import { partitionOf } from "../../core/arn.js";
import { ResourceAlreadyExistsException, ResourceNotFoundException, type EventbridgeApi, type EventBus, type PutPermissionRequest } from "./api.generated.js";
import { busArn, DEFAULT_BUS, defaultBus, mustBus, tables, ValidationException, type BusRec, invalidToken } from "./state.js";
import { checkTags } from "./tags.js";

/** The bus's Policy document as DescribeEventBus and ListEventBuses answer it, when it has statements. */
export const policyOf = (b: BusRec): string | undefined =>
  b.statements.length ? JSON.stringify({ Version: "2012-10-17", Statement: b.statements }) : undefined;

const dates = (b: BusRec) => (b.created ? { CreationTime: new Date(b.created), LastModifiedTime: new Date(b.modified) } : {});

function view(b: BusRec): EventBus {
  const policy = policyOf(b);
  return { Name: b.name, Arn: b.arn, ...(b.description ? { Description: b.description } : {}), ...(policy ? { Policy: policy } : {}), ...dates(b) };
}

/** Stores a bus (the default bus too, on its first change). */
function save(ctx: HandlerContext, b: BusRec): void {
  const now = ctx.now();
  if (!b.created) b.created = now;
  b.modified = now;
  tables(ctx).buses.put(b.name, b);
}

export const buses = {
  createEventBus(input, ctx) {
    const t = tables(ctx);
    if (input.EventSourceName)
      throw new ValidationException("Stratus does not run partner event sources: EventSourceName is not supported. Create a custom event bus without it.");
    if (input.Name === DEFAULT_BUS || t.buses.get(input.Name)) throw new ResourceAlreadyExistsException(`Event bus ${input.Name} already exists.`);
    if (input.Name.includes("/")) throw new ValidationException("Event bus name must not contain '/'.");
    if (input.LogConfig) throw new ValidationException("Stratus does not deliver event bus logs yet: LogConfig is not supported.");
    checkTags(input.Tags, ctx.invokedBy);
    const b: BusRec = {
      name: input.Name,
      arn: busArn(ctx, input.Name),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyIdentifier ? { kmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      ...(input.DeadLetterConfig?.Arn ? { deadLetterArn: input.DeadLetterConfig.Arn } : {}),
      statements: [],
      tags: input.Tags ?? [],
      created: 0,
      modified: 0,
    };
    save(ctx, b);
    return {
      EventBusArn: b.arn,
      ...(b.description !== undefined ? { Description: b.description } : {}),
      ...(b.kmsKeyIdentifier ? { KmsKeyIdentifier: b.kmsKeyIdentifier } : {}),
      ...(b.deadLetterArn ? { DeadLetterConfig: { Arn: b.deadLetterArn } } : {}),
    };
  },

  describeEventBus(input, ctx) {
    const b = mustBus(ctx, input.Name);
    return {
      ...view(b),
      ...(b.kmsKeyIdentifier ? { KmsKeyIdentifier: b.kmsKeyIdentifier } : {}),
      ...(b.deadLetterArn ? { DeadLetterConfig: { Arn: b.deadLetterArn } } : {}),
    };
  },

  updateEventBus(input, ctx) {
    const b = mustBus(ctx, input.Name);
    if (input.LogConfig) throw new ValidationException("Stratus does not deliver event bus logs yet: LogConfig is not supported.");
    if (input.Description !== undefined) b.description = input.Description;
    if (input.KmsKeyIdentifier !== undefined) b.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
    if (input.DeadLetterConfig !== undefined) b.deadLetterArn = input.DeadLetterConfig.Arn || undefined;
    save(ctx, b);
    return {
      Arn: b.arn,
      Name: b.name,
      ...(b.description !== undefined ? { Description: b.description } : {}),
      ...(b.kmsKeyIdentifier ? { KmsKeyIdentifier: b.kmsKeyIdentifier } : {}),
      ...(b.deadLetterArn ? { DeadLetterConfig: { Arn: b.deadLetterArn } } : {}),
    };
  },

  listEventBuses(input, ctx) {
    const stored = tables(ctx).buses.list({ prefix: input.NamePrefix });
    const all = stored.map((e) => e.value);
    if (!all.some((b) => b.name === DEFAULT_BUS) && DEFAULT_BUS.startsWith(input.NamePrefix ?? "")) all.push(defaultBus(ctx));
    all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = pageByKey(all, (b) => b.name, {
      operation: "ListEventBuses",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: input.NamePrefix ?? "",
    });
    return { EventBuses: page.items.map(view), ...(page.next ? { NextToken: page.next } : {}) };
  },

  deleteEventBus(input, ctx) {
    if (input.Name === DEFAULT_BUS) throw new ValidationException("Cannot delete event bus default.");
    const t = tables(ctx);
    // Deleting a bus that does not exist succeeds; one with rules (an archive's too) is refused, as AWS refuses it:
    // "EventBus can't be deleted since it has rules." (recorded in hashicorp/terraform-provider-aws#22131, sst#4325).
    if (t.rules.list({ prefix: `${input.Name}|`, limit: 1 }).length) throw new ValidationException("EventBus can't be deleted since it has rules.");
    t.buses.delete(input.Name);
    return {};
  },

  putPermission(input, ctx) {
    const b = mustBus(ctx, input.EventBusName);
    if (input.Policy !== undefined) {
      const statements = statementsOf(input.Policy);
      if (!statements) throw new ValidationException("This policy contains invalid Json");
      b.statements = JSON.parse(JSON.stringify(statements)) as Record<string, unknown>[];
    } else {
      const s = statementFor(input, b, partitionOf(ctx.region));
      b.statements = [...b.statements.filter((x) => x.Sid !== s.Sid), s];
    }
    save(ctx, b);
    return {};
  },

  removePermission(input, ctx) {
    const b = mustBus(ctx, input.EventBusName);
    if (input.RemoveAllPermissions) b.statements = [];
    else {
      if (!b.statements.length) throw new ResourceNotFoundException("EventBus does not have a policy.");
      const left = b.statements.filter((s) => s.Sid !== input.StatementId);
      if (left.length === b.statements.length) throw new ResourceNotFoundException("Statement with the provided id does not exist.");
      b.statements = left;
    }
    save(ctx, b);
    return {};
  },
} satisfies Partial<EventbridgeApi>;

/** The statement PutPermission's parameters make (moto's AWS-matching form: an account principal as its root ARN). */
function statementFor(input: PutPermissionRequest, b: BusRec, partition: string): Record<string, unknown> {
  const { Principal: principal, StatementId: sid, Action: action, Condition: condition } = input;
  if (principal === undefined) throw new ValidationException("Parameter Principal must be specified.");
  if (condition && principal !== "*") throw new ValidationException("Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.");
  if (!condition && !/^(\d{12}|\*)$/.test(principal))
    throw new ValidationException(
      `Value ${principal} at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)`,
    );
  if (action !== "events:PutEvents") throw new ValidationException("Provided value in parameter 'action' is not supported.");
  if (!sid || !/^[a-zA-Z0-9-_]{1,64}$/.test(sid)) throw new ValidationException("StatementId must match ^[a-zA-Z0-9-_]{1,64}$");
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: principal === "*" ? "*" : { AWS: `arn:${partition}:iam::${principal}:root` },
    Action: action,
    Resource: b.arn,
    ...(condition ? { Condition: { [condition.Type]: { [condition.Key]: condition.Value } } } : {}),
  };
}
