// (stub: the execute-api route; its owner replaces this file)
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceHost } from "../../../core/service.js";

export default function executeApiRoute(_rt: ServiceHost, _req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(501, { "content-type": "application/json" });
  res.end(JSON.stringify({ message: "execute-api is not served yet" }));
}
