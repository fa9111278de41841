// What an HTTP API answers when it answers itself (no integration did): a JSON {"message": …} with the
// apigw-requestid header HTTP APIs send on every response. The messages are AWS's for HTTP APIs (their
// capitalisation differs from REST APIs'): 404 "Not Found" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html),
// 500 "Internal Server Error", 503 "Service Unavailable" past the integration timeout, 401 "Unauthorized",
// 403 "Forbidden", 429 "Too Many Requests" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
// and the answers AWS sends, as users report them).
import type { ApiResponse } from "../types.js";

export class HttpApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const NOT_FOUND = () => new HttpApiError(404, "Not Found");
export const INTERNAL = () => new HttpApiError(500, "Internal Server Error");
export const UNAVAILABLE = () => new HttpApiError(503, "Service Unavailable");
export const UNAUTHORIZED = (headers: Record<string, string> = {}) => new HttpApiError(401, "Unauthorized", headers);
export const FORBIDDEN = () => new HttpApiError(403, "Forbidden");
export const TOO_MANY = () => new HttpApiError(429, "Too Many Requests");

export function errorResponse(e: HttpApiError, requestId: string): ApiResponse {
  const body = Buffer.from(JSON.stringify({ message: e.message }));
  return {
    statusCode: e.statusCode,
    headers: { ...e.headers, "content-type": "application/json", "content-length": String(body.length), "apigw-requestid": requestId },
    body,
  };
}
