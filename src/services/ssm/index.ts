// SSM: the service at a glance — Parameter Store (parameters, versions, labels, tags), documents, Run Command, per account and region.
import { defineService } from "../../core/service.js";
import type { SsmApi } from "./api.generated.js";
import { commands } from "./commands.js";
import { documents } from "./documents.js";
import { labels } from "./labels.js";
import { parameters } from "./parameters.js";
import { queries } from "./queries.js";
import { tags } from "./tags.js";

const handlers = {
  ...parameters,
  ...queries,
  ...labels,
  ...tags,
  ...documents,
  ...commands,
} satisfies Partial<SsmApi>;

export default defineService({ name: "ssm", handlers });
