// AWS/ApiGateway's metrics for every request an API serves
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html,
// .../http-api-metrics.html): Count, the client and server error counts (4XXError/5XXError for a REST API, 4xx/5xx
// for an HTTP API: 1 or 0 per request), Latency and IntegrationLatency, and for an HTTP API DataProcessed (Bytes: the
// request's and the response's bodies), by the API (ApiName for REST, ApiId for HTTP) and by the API and Stage. Published through core/service-metrics.ts; the series of each API and stage are
// kept, so a request adds its values without building their names.
import type { ServiceHost } from "../../../core/service.js";
import { type MetricSeries, serviceMetrics } from "../../../core/service-metrics.js";

interface ApiSeries {
  count: MetricSeries[];
  client: MetricSeries[];
  server: MetricSeries[];
  latency: MetricSeries[];
  integration: MetricSeries[];
  /** HTTP APIs only. */
  data?: MetricSeries[];
}

const NS = "AWS/ApiGateway";
const kept = new WeakMap<ServiceHost, Map<string, ApiSeries>>();

function seriesOf(rt: ServiceHost, account: string, region: string, kind: "rest" | "http", api: string, stage: string): ApiSeries {
  let byApi = kept.get(rt);
  if (!byApi) kept.set(rt, (byApi = new Map()));
  const key = `${account}/${region}/${kind}/${api}/${stage}`;
  let s = byApi.get(key);
  if (!s) {
    if (byApi.size > 10_000) byApi.clear();
    const m = serviceMetrics(rt, "apigateway");
    const apiDim = { Name: kind === "rest" ? "ApiName" : "ApiId", Value: api };
    const dims = [[apiDim], [apiDim, { Name: "Stage", Value: stage }]];
    const of = (name: string, unit: string) => dims.map((d) => m.of(account, region, NS, name, d, unit));
    s = {
      count: of("Count", "Count"),
      client: of(kind === "rest" ? "4XXError" : "4xx", "Count"),
      server: of(kind === "rest" ? "5XXError" : "5xx", "Count"),
      latency: of("Latency", "Milliseconds"),
      integration: of("IntegrationLatency", "Milliseconds"),
      ...(kind === "http" ? { data: of("DataProcessed", "Bytes") } : {}),
    };
    byApi.set(key, s);
  }
  return s;
}

export function recordRequest(
  rt: ServiceHost,
  owner: { account: string; region: string },
  kind: "rest" | "http",
  api: string,
  stage: string,
  out: { status: number; latency: number; integrationLatency?: number; bytes?: number },
): void {
  const s = seriesOf(rt, owner.account, owner.region, kind, api, stage);
  const at = rt.clock.now();
  const client = out.status >= 400 && out.status < 500 ? 1 : 0;
  const server = out.status >= 500 ? 1 : 0;
  for (let i = 0; i < 2; i++) {
    s.count[i].add(1, at);
    s.client[i].add(client, at);
    s.server[i].add(server, at);
    s.latency[i].add(out.latency, at);
    if (out.integrationLatency !== undefined) s.integration[i].add(out.integrationLatency, at);
    if (s.data && out.bytes !== undefined) s.data[i].add(out.bytes, at);
  }
}
