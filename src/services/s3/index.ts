// S3: the service at a glance — buckets, objects, listing, multipart, versioning, and bucket configuration
// (policy, CORS, tagging, lifecycle with its sweep, event notifications, default encryption, Block Public Access, Object
// Ownership, ACLs, request metrics configurations and the AWS/S3 request metrics they enable, the daily storage metrics).
import { defineService } from "../../core/service.js";
import { s3ResourcePolicy } from "./access.js";
import type { S3Api } from "./api.generated.js";
import { acl } from "./acl.js";
import { attributes } from "./attributes.js";
import { buckets } from "./buckets.js";
import { cors } from "./cors.js";
import { encryption } from "./encryption.js";
import { lifecycle, startLifecycle } from "./lifecycle.js";
import { metricsConfig } from "./metrics-config.js";
import { RequestMetrics, type S3Running } from "./request-metrics.js";
import { startStorageMetrics } from "./storage-metrics.js";
import { listing } from "./listing.js";
import { multipart } from "./multipart.js";
import { notificationConfig, resumePendingEvents } from "./notifications.js";
import { objectLock } from "./object-lock.js";
import { objects } from "./objects.js";
import { ownership } from "./ownership.js";
import { policy } from "./policy.js";
import { restore, resumePendingRestores } from "./storage-class.js";
import { publicAccessBlock } from "./public-access-block.js";
import { tagging } from "./tagging.js";
import { website } from "./website.js";

const handlers = {
  ...buckets,
  ...objects,
  ...attributes,
  ...listing,
  ...multipart,
  ...tagging,
  ...policy,
  ...cors,
  ...lifecycle,
  ...notificationConfig,
  ...restore,
  ...encryption,
  ...publicAccessBlock,
  ...ownership,
  ...acl,
  ...objectLock,
  ...website,
  ...metricsConfig,
} satisfies Partial<S3Api>;

export default defineService({
  name: "s3",
  handlers,
  resourcePolicy: s3ResourcePolicy,
  start(runtime) {
    // Event notifications acknowledged before a restart and not yet delivered go out now.
    resumePendingEvents(runtime);
    resumePendingRestores(runtime);
    const instance: S3Running = { requestMetrics: new RequestMetrics(runtime) };
    const stops = [startLifecycle(runtime), startStorageMetrics(runtime)];
    return { instance, stop: () => stops.forEach((stop) => stop()) };
  },
});
