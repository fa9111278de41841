// CloudWatch Evidently (retired by AWS in 2025; its 2021-02-01 model from botocore's history): projects with data
// delivery to S3 or CloudWatch Logs, features and their variations, launches, experiments and their results,
// segments, feature evaluation (overrides, launches, experiments, default) and project events; tags.
import { defineService } from "../../core/service.js";
import type { EvidentlyApi } from "./api.generated.js";
import { Delivery, type EvInstance } from "./delivery.js";
import { evaluation } from "./evaluate.js";
import { projectEvents } from "./events.js";
import { experiments } from "./experiments.js";
import { features } from "./features.js";
import { launches } from "./launches.js";
import { projects } from "./projects.js";
import { segments } from "./segments.js";
import { tagging } from "./tags.js";

const handlers = {
  ...projects,
  ...features,
  ...launches,
  ...experiments,
  ...segments,
  ...evaluation,
  ...projectEvents,
  ...tagging,
} satisfies EvidentlyApi;

export default defineService({
  name: "evidently",
  handlers,
  start(host) {
    const instance: EvInstance = { delivery: new Delivery(host) };
    host.onDrain(() => instance.delivery.drain());
    // Deliveries acknowledged before a restart (or kill -9) and not yet written go out now.
    instance.delivery.resume();
    return { instance, stop: () => {} };
  },
});
