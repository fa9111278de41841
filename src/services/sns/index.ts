// SNS: the service at a glance — topics, subscriptions with real deliveries (SQS, HTTP/S, Lambda), filter policies, signed messages.
import { defineService } from "../../core/service.js";
import { snsResourcePolicy } from "./access.js";
import type { SnsApi } from "./api.generated.js";
import { publishing } from "./publish.js";
import { snsState, type SnsInstance } from "./state.js";
import { SigningKeys } from "./certificate.js";
import { resumePending } from "./delivery.js";
import { subscriptions } from "./subscriptions.js";
import { topics } from "./topics.js";

const handlers = {
  ...topics,
  ...subscriptions,
  ...publishing,
} satisfies Partial<SnsApi>;

export default defineService({
  name: "sns",
  handlers,
  resourcePolicy: snsResourcePolicy,
  // Deliveries run after the call returns; they need the server's URL and scheduler, and its signing key: the
  // running instance holds them.
  start(runtime) {
    const instance: SnsInstance = { host: runtime, signing: new SigningKeys(snsState.at(runtime, "").signing) };
    // Deliveries acknowledged before a restart (or kill -9) and not yet done go out now.
    resumePending(runtime);
    return { instance };
  },
});
