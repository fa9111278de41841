// SSM: the service at a glance — Parameter Store (parameters, versions, labels, tags) per account and region.
import { defineService } from "../../core/service.js";
import type { SsmApi } from "./api.generated.js";
import { labels } from "./labels.js";
import { parameters } from "./parameters.js";
import { queries } from "./queries.js";
import { tags } from "./tags.js";

const handlers = {
  ...parameters,
  ...queries,
  ...labels,
  ...tags,
} satisfies Partial<SsmApi>;

export default defineService({ name: "ssm", handlers });
