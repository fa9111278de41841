// The many-to-many links between IAM entities: group membership, managed-policy attachments, inline
// policies — each stored in both directions so either side lists by key prefix.
import type { EntityKind, Tables } from "./state.js";
import { k } from "./state.js";

export const membership = {
  add(t: Tables, group: string, user: string) {
    t.groupMembers.put(k(group, user), true);
    t.userGroups.put(k(user, group), true);
  },
  remove(t: Tables, group: string, user: string): boolean {
    t.userGroups.delete(k(user, group));
    return t.groupMembers.delete(k(group, user));
  },
  has: (t: Tables, group: string, user: string) => t.groupMembers.has(k(group, user)),
  usersOf: (t: Tables, group: string) => t.groupMembers.list({ prefix: k(group, "") }).map((e) => e.key.split("\u0000")[1]),
  groupsOf: (t: Tables, user: string) => t.userGroups.list({ prefix: k(user, "") }).map((e) => e.key.split("\u0000")[1]),
};

export const attachments = {
  attach(t: Tables, kind: EntityKind, entity: string, policyArn: string) {
    t.policyAttachments.put(k(policyArn, kind, entity), true);
    t.entityPolicies.put(k(kind, entity, policyArn), true);
  },
  detach(t: Tables, kind: EntityKind, entity: string, policyArn: string): boolean {
    t.policyAttachments.delete(k(policyArn, kind, entity));
    return t.entityPolicies.delete(k(kind, entity, policyArn));
  },
  has: (t: Tables, kind: EntityKind, entity: string, policyArn: string) => t.entityPolicies.has(k(kind, entity, policyArn)),
  policiesOf: (t: Tables, kind: EntityKind, entity: string) => t.entityPolicies.list({ prefix: k(kind, entity, "") }).map((e) => e.key.split("\u0000")[2]),
  entitiesOf: (t: Tables, policyArn: string) =>
    t.policyAttachments.list({ prefix: k(policyArn, "") }).map((e) => {
      const [, kind, entity] = e.key.split("\u0000");
      return { kind: kind as EntityKind, entity };
    }),
  count: (t: Tables, policyArn: string) => t.policyAttachments.count(k(policyArn, "")),
};

export const inline = {
  list: (t: Tables, kind: EntityKind, entity: string) => t.inline.list({ prefix: k(kind, entity, "") }),
  count: (t: Tables, kind: EntityKind, entity: string) => t.inline.count(k(kind, entity, "")),
};

/** Moves every link of a renamed user or group to its new key (call inside a transaction). */
export function rekeyEntity(t: Tables, kind: "user" | "group", from: string, to: string): void {
  if (from === to) return;
  for (const arn of attachments.policiesOf(t, kind, from)) {
    attachments.detach(t, kind, from, arn);
    attachments.attach(t, kind, to, arn);
  }
  for (const e of inline.list(t, kind, from)) {
    t.inline.delete(e.key);
    t.inline.put(k(kind, to, e.value.name), e.value);
  }
  if (kind === "user") {
    for (const g of membership.groupsOf(t, from)) {
      membership.remove(t, g, from);
      membership.add(t, g, to);
    }
  } else {
    for (const u of membership.usersOf(t, from)) {
      membership.remove(t, from, u);
      membership.add(t, to, u);
    }
  }
}
