// ECR's JSON protocol by hand (there is no @aws-sdk/client-ecr among the dependencies): one signed call, its answer.
import { signedFetch } from "../../helpers/server.js";

// biome-ignore lint/suspicious/noExplicitAny: ECR's JSON answer, read field by field by the assertions
export async function ecrCall(server: { url: string }, account: string, op: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await signedFetch(server, "/", {
    service: "ecr",
    account,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonEC2ContainerRegistry_V20150921.${op}` },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
