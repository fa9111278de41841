// Tags of the alarm types' CloudFormation providers (cloudformation.ts, composite-cloudformation.ts).
import type { ResourceRequest } from "../../core/resources.js";
import type { Tag } from "./api.generated.js";

/**
 * An alarm's tags after an update: PutMetricAlarm and PutCompositeAlarm ignore Tags on an existing alarm, so the
 * template's tags go through TagResource and the ones it dropped through UntagResource.
 */
export async function syncTags(req: ResourceRequest & { previous: Record<string, unknown> }, arn: string): Promise<void> {
  const cw = req.ctx.client("cloudwatch");
  const tags = (req.properties.Tags as Tag[] | undefined) ?? [];
  const removed = ((req.previous?.Tags as Tag[] | undefined) ?? []).filter((t) => !tags.some((n) => n.Key === t.Key)).map((t) => t.Key);
  if (removed.length) await cw.untagResource({ ResourceARN: arn, TagKeys: removed });
  if (tags.length) await cw.tagResource({ ResourceARN: arn, Tags: tags });
}
