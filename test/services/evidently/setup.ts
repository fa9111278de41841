// Shared by Evidently's tests: an SDK client for one fresh account (the data-plane operations carry the model's
// `dataplane.` host prefix, which a 127.0.0.1 endpoint cannot take: disableHostPrefix, as a client pointed at a
// local endpoint sets it), and an assertion of an AWS error's name, status and message.
import assert from "node:assert/strict";
import { EvidentlyClient } from "@aws-sdk/client-evidently";
import { randomAccount, type TestServer } from "../../helpers/server.js";

export function evidently(server: TestServer, account = randomAccount()): EvidentlyClient {
  return new EvidentlyClient({ ...server.clientConfig({ account }), disableHostPrefix: true });
}

export async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}
