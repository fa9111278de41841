// Shared set-up for the integration tests: a REST API built with the SDK v3 client (resources along a path,
// methods, integrations, method and integration responses), deployed to a stage, and called over real HTTP at
// its execute-api Host (http://<id>.execute-api.localhost:<port>/<stage>/<path>, sent to 127.0.0.1) or the path form.
import { request as httpRequest } from "node:http";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  type PutIntegrationCommandInput,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, type UsedServer } from "../../helpers/server.js";

export interface ResponseSpec {
  statusCode: string;
  selectionPattern?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  contentHandling?: "CONVERT_TO_TEXT" | "CONVERT_TO_BINARY";
}

export interface MethodSpec {
  /** The method request's parameters (method.request.path.x …), each required or not. */
  requestParameters?: Record<string, boolean>;
  integration: Omit<PutIntegrationCommandInput, "restApiId" | "resourceId" | "httpMethod">;
  responses?: ResponseSpec[];
}

export class TestApi {
  readonly resources = new Map<string, string>();
  constructor(
    readonly apigw: APIGatewayClient,
    readonly id: string,
    rootId: string,
    readonly account: string,
  ) {
    this.resources.set("/", rootId);
  }

  /** The resource at `path`, created (with its parents) if it is not yet. */
  async resource(path: string): Promise<string> {
    const known = this.resources.get(path);
    if (known) return known;
    const cut = path.lastIndexOf("/");
    const parentId = await this.resource(cut === 0 ? "/" : path.slice(0, cut));
    const r = await this.apigw.send(new CreateResourceCommand({ restApiId: this.id, parentId, pathPart: path.slice(cut + 1) }));
    this.resources.set(path, r.id!);
    return r.id!;
  }

  /** A method with its integration, method responses and integration responses. */
  async method(path: string, verb: string, spec: MethodSpec): Promise<void> {
    const resourceId = await this.resource(path);
    const restApiId = this.id;
    await this.apigw.send(
      new PutMethodCommand({ restApiId, resourceId, httpMethod: verb, authorizationType: "NONE", requestParameters: spec.requestParameters }),
    );
    await this.apigw.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: verb, ...spec.integration }));
    for (const r of spec.responses ?? []) {
      const headers = Object.fromEntries(Object.keys(r.responseParameters ?? {}).map((k) => [k, false]));
      await this.apigw.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: verb, statusCode: r.statusCode, responseParameters: headers }));
      await this.apigw.send(new PutIntegrationResponseCommand({ restApiId, resourceId, httpMethod: verb, ...r }));
    }
  }

  async deploy(stageName = "dev", variables?: Record<string, string>): Promise<void> {
    await this.apigw.send(new CreateDeploymentCommand({ restApiId: this.id, stageName, variables }));
  }
}

export async function restApi(server: UsedServer, account = randomAccount(), binaryMediaTypes?: string[]): Promise<TestApi> {
  const apigw = server.client(APIGatewayClient, { account });
  const api = await apigw.send(new CreateRestApiCommand({ name: "integrations", binaryMediaTypes }));
  return new TestApi(apigw, api.id!, api.rootResourceId!, account);
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): unknown;
}

/** A request to the API's execute-api Host (`<id>.execute-api.localhost`), sent to the server's address. */
export function call(
  server: UsedServer,
  apiId: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; stage?: string } = {},
): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: url.port,
        method: opts.method ?? "GET",
        path: `/${opts.stage ?? "dev"}${path}`,
        headers: { host: `${apiId}.execute-api.localhost:${url.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const text = body.toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
