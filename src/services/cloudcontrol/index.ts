// Cloud Control API: resources of the types the services declare (core/resources.ts), created, read, updated,
// deleted and listed through the same providers CloudFormation's engine uses; mutations run as requests in the
// background (worker.ts), as on AWS.
import { defineService } from "../../core/service.js";
import type { CloudcontrolApi } from "./api.generated.js";
import { resources } from "./resources.js";
import { Worker } from "./worker.js";

const handlers = { ...resources } satisfies Partial<CloudcontrolApi>;

export default defineService({
  name: "cloudcontrol",
  handlers,
  start(host) {
    const worker = new Worker(host);
    // Requests a stopped server left in progress end FAILED (their work may be half done), none stays IN_PROGRESS.
    worker.resume();
    // Running requests finish before the store closes.
    host.onDrain(() => worker.drain());
    return { instance: worker };
  },
});
