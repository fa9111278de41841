// AWS service integrations of HTTP APIs (AWS_PROXY with an integrationSubtype,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html):
// the integration's requestParameters name the action's parameters (static text or $request.…, $context.…,
// $stageVariables.… mappings), and API Gateway calls the service as the integration's credentials role, which must
// trust apigateway.amazonaws.com. Stratus runs the SQS subtypes; a subtype of a service Stratus does not run is
// refused (500) with a warning saying so.
import { isServiceError } from "../../../../core/errors.js";
import { assumedRole } from "../role.js";
import { mappingValue } from "./http-proxy.js";
import type { IntegrationCall } from "./integrate.js";
import type { ProxyAnswer } from "./payload.js";
import { INTERNAL } from "./respond.js";

interface Action {
  service: string;
  operation: string;
  numbers?: string[];
  lists?: string[];
  maps?: string[];
}

const ACTIONS: Record<string, Action> = {
  "SQS-SendMessage": { service: "sqs", operation: "SendMessage", numbers: ["DelaySeconds"], maps: ["MessageAttributes", "MessageSystemAttributes"] },
  "SQS-ReceiveMessage": {
    service: "sqs",
    operation: "ReceiveMessage",
    numbers: ["MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds"],
    lists: ["AttributeNames", "MessageAttributeNames"],
  },
  "SQS-DeleteMessage": { service: "sqs", operation: "DeleteMessage" },
  "SQS-PurgeQueue": { service: "sqs", operation: "PurgeQueue" },
};

export async function awsService(c: IntegrationCall): Promise<ProxyAnswer> {
  const subtype = c.integration.integrationSubtype!;
  const action = ACTIONS[subtype];
  if (!action) {
    c.rt.logger.warn(`execute-api: ${c.apiId}: Stratus does not run the ${subtype} integration subtype of HTTP APIs (the service is not served here)`);
    throw INTERNAL();
  }
  const principal = c.integration.credentialsArn ? assumedRole(c.rt, c.integration.credentialsArn)?.principal : undefined;
  if (!principal) {
    c.rt.logger.debug(`execute-api: ${c.apiId}: cannot assume the integration's credentials role ${c.integration.credentialsArn ?? "(none)"}`);
    throw INTERNAL();
  }
  let region = c.owner.region;
  const input: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(c.integration.requestParameters ?? {})) {
    const value = mappingValue(c, raw, c.context);
    if (name === "Region") region = value || region;
    else if (action.numbers?.includes(name)) input[name] = Number(value);
    else if (action.lists?.includes(name)) input[name] = value.split(",").map((s) => s.trim());
    else if (action.maps?.includes(name)) {
      try {
        input[name] = JSON.parse(value);
      } catch {
        throw INTERNAL();
      }
    } else input[name] = value;
  }
  const who = {
    account: principal.accountId,
    region,
    principal,
    requestId: c.requestId,
    sourceIp: c.req.sourceIp,
    userAgent: c.req.userAgent,
    invokedBy: "api-gateway",
  };
  const json = (status: number, body: unknown): ProxyAnswer => ({
    statusCode: status,
    headers: new Map([["content-type", ["application/json"]]]),
    body: Buffer.from(JSON.stringify(body)),
  });
  try {
    const out = await c.rt.call(action.service, action.operation, input, who);
    // unverified shape: the action's result as its query-protocol response, in JSON
    return json(200, { [`${action.operation}Response`]: { [`${action.operation}Result`]: out, ResponseMetadata: { RequestId: c.requestId } } });
  } catch (e) {
    if (!isServiceError(e)) throw e;
    // unverified shape: the service's error, with its status
    return json(e.status, { Error: { Code: e.code, Message: e.message, Type: e.senderFault ? "Sender" : "Receiver" }, RequestId: c.requestId });
  }
}
