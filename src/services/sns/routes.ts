// SNS's plain-HTTP endpoints under /_stratus/sns/: the signing certificate (SigningCertURL) and the unauthenticated
// SubscribeURL / UnsubscribeURL links that messages carry, answered in SNS's query-protocol XML.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ServiceHost } from "../../core/service.js";
import { SigningKeys } from "./certificate.js";
import { CERT_PATH } from "./messages.js";
import { parseArn, snsState, type SnsInstance } from "./state.js";

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export default async function snsRoute(rt: ServiceHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://local");
  if (url.pathname === CERT_PATH) return send(res, 200, "application/x-x509-ca-cert", signingKeys(rt).identity(rt.clock.now()).certPem);
  const requestId = randomUUID();
  const q = url.searchParams;
  try {
    if (url.pathname !== "/_stratus/sns/") throw new ServiceError("NotFound", `No Stratus endpoint at ${url.pathname}`, 404);
    const action = q.get("Action");
    if (action === "ConfirmSubscription") {
      const topicArn = q.get("TopicArn") ?? "";
      const out = await rt.call("sns", "ConfirmSubscription", { TopicArn: topicArn, Token: q.get("Token") ?? "" }, identity(rt, topicArn));
      return send(res, 200, "text/xml", result(action, requestId, `<SubscriptionArn>${esc(String(out.SubscriptionArn))}</SubscriptionArn>`));
    }
    if (action === "Unsubscribe") {
      const subArn = q.get("SubscriptionArn") ?? "";
      const who = identity(rt, subArn);
      const attrs = (await rt.call("sns", "GetSubscriptionAttributes", { SubscriptionArn: subArn }, who)).Attributes as Record<string, string>;
      // A subscription confirmed with AuthenticateOnUnsubscribe=true cannot be removed by an anonymous link.
      if (attrs.ConfirmationWasAuthenticated === "true" && attrs.Protocol !== "sqs" && attrs.Protocol !== "lambda")
        throw new ServiceError("AuthorizationError", "Unsubscribe requires authentication for this subscription", 403);
      await rt.call("sns", "Unsubscribe", { SubscriptionArn: subArn }, who);
      return send(res, 200, "text/xml", result(action, requestId, ""));
    }
    throw new ServiceError("InvalidAction", `The action ${action ?? "(none)"} is not valid for this endpoint.`, 400);
  } catch (e) {
    const err = isServiceError(e) ? e : new ServiceError("InternalFailure", "The request processing has failed because of an unknown error.", 500);
    if (!isServiceError(e)) rt.logger.error("SNS link failed", e);
    const body = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${err.senderFault ? "Sender" : "Receiver"}</Type><Code>${esc(err.code)}</Code><Message>${esc(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return send(res, err.status, "text/xml", body);
  }
}

/** The running SNS's signing key; before SNS has started in this server, the one stored (or made now) for it. */
const signingKeys = (rt: ServiceHost): SigningKeys => rt.instance<SnsInstance>("sns")?.signing ?? new SigningKeys(snsState.at(rt, "").signing);

function identity(rt: ServiceHost, arn: string) {
  const p = parseArn(arn);
  if (!p || !/^\d{12}$/.test(p.account)) throw new ServiceError("InvalidParameter", "Invalid parameter: TopicArn", 400);
  return rt.rootIdentity(p.account, p.region);
}

const result = (action: string, requestId: string, inner: string) =>
  `<${action}Response xmlns="${XMLNS}">${inner ? `<${action}Result>${inner}</${action}Result>` : ""}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
