// CloudWatch Synthetics: the service at a glance — canaries whose code runs for real as Lambda functions (made in
// the account through Lambda's API, with the Synthetics library of runtimes/synthetics/), run on their schedules
// durably off the request path, with artifacts in S3, CloudWatchSynthetics metrics and aws.synthetics events;
// run history; groups; tags.
import { defineService } from "../../core/service.js";
import type { SyntheticsApi } from "./api.generated.js";
import { canaries } from "./canaries.js";
import { groups } from "./groups.js";
import { CanaryRunner } from "./runner.js";
import { runs } from "./runs.js";

const handlers = {
  ...canaries,
  ...runs,
  ...groups,
} satisfies Partial<SyntheticsApi>;

export default defineService({
  name: "synthetics",
  handlers,
  start(host) {
    const instance = new CanaryRunner(host);
    // Provisioning left half done resumes, running canaries are armed again, interrupted runs are recorded failed.
    instance.resume();
    return { instance, stop: () => instance.stopAll() };
  },
});
