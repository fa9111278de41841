// What CloudFormation tests share: a resource's tags without CloudFormation's own aws:cloudformation:* ones (those are
// stack-tags.test.ts's to check; the other tests compare the template's).

/** A Key/Value tag list without the aws: ones. */
export const userTags = <T extends { Key?: string }>(tags: T[] | undefined) => tags?.filter((t) => !t.Key!.startsWith("aws:"));

/** A tag map (SQS's ListQueueTags) without the aws: keys. */
export const userTagMap = (tags: Record<string, string> | undefined) => Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => !k.startsWith("aws:")));
