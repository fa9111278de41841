// The services a server knows: their declarations (services/registry.ts, handed in by the composition root)
// joined with their routing facts from models/index.json (made by codegen), and the lookups routing needs; the
// query-protocol action names (models/query-actions.json, three quarters of those facts) are read on first use.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "./model.js";
import type { HttpRoute, ServiceDefinition, ServiceInfo, ServiceRegistration } from "./service.js";

type RoutingFacts = Omit<ServiceInfo, "name" | "eventSource" | "declared">;

export class Catalog {
  readonly services: ServiceInfo[];
  /** Services with handlers; every other catalogued service answers NotImplemented per operation. */
  readonly implemented: string[];
  /** Services whose quirk claims requests by Host (S3's virtual-hosted buckets) or when nothing else marks them. */
  readonly hostClaimants: ServiceInfo[];
  readonly unmarkedClaimants: ServiceInfo[];
  /** Every declared HTTP route beside the AWS APIs, in registry order. */
  readonly routes: HttpRoute[];
  private readonly byName = new Map<string, ServiceInfo>();
  private readonly byTarget = new Map<string, ServiceInfo>();
  private readonly bySigning = new Map<string, ServiceInfo>();
  private readonly byEndpoint = new Map<string, ServiceInfo>();
  /** Query action name → service, built on first use (query-actions.json: only unsigned query requests need it). */
  private byAction?: Map<string, ServiceInfo>;
  private readonly definitions = new Map<string, Promise<ServiceDefinition | undefined>>();
  private readonly loaded = new Map<string, ServiceDefinition>();

  constructor(registrations: ServiceRegistration[], facts: Record<string, RoutingFacts> = readRoutingFacts()) {
    this.services = registrations
      .filter((r) => facts[r.name])
      .map((declared) => {
        const f = facts[declared.name];
        return {
          name: declared.name,
          ...f,
          // CloudWatch signs as "monitoring" and CloudTrail names it so.
          eventSource: declared.eventSource ?? `${f.endpointPrefix === "monitoring" ? "monitoring" : f.signingName}.amazonaws.com`,
          declared,
        };
      });
    this.implemented = this.services.filter((s) => s.declared.load).map((s) => s.name);
    this.hostClaimants = this.services.filter((s) => s.declared.quirk?.claimHost);
    this.unmarkedClaimants = this.services.filter((s) => s.declared.quirk?.claimUnmarked);
    this.routes = this.services.flatMap((s) => s.declared.routes ?? []);
    for (const s of this.services) {
      this.byName.set(s.name, s);
      if (s.targetPrefix) {
        this.byTarget.set(s.targetPrefix, s);
        // Namespaced prefixes (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101): SDKs send the last segment.
        this.byTarget.set(s.targetPrefix.slice(s.targetPrefix.lastIndexOf(".") + 1), s);
      }
      if (!this.bySigning.has(s.signingName)) this.bySigning.set(s.signingName, s);
      if (s.pathRoots) this.sharedSigning.set(s.signingName, [...(this.sharedSigning.get(s.signingName) ?? []), s]);
      if (!this.byEndpoint.has(s.endpointPrefix)) this.byEndpoint.set(s.endpointPrefix, s);
    }
  }

  named = (name: string) => this.byName.get(name);
  byTargetPrefix = (prefix: string) => this.byTarget.get(prefix);
  /** Services sharing a signing name, told apart by their operations' first path segment. */
  private readonly sharedSigning = new Map<string, ServiceInfo[]>();
  /** The service a SigV4 scope names; where several share it, the one whose operations' paths start as `path` does. */
  bySigningName = (name: string, path?: string) => {
    const shared = path === undefined ? undefined : this.sharedSigning.get(name);
    if (shared) {
      const root = path!.split("/")[1] ?? "";
      const s = shared.find((c) => c.pathRoots!.includes(root));
      if (s) return s;
    }
    return this.bySigning.get(name) ?? this.byEndpoint.get(name);
  };
  byEndpointPrefix = (prefix: string, path?: string) =>
    (path !== undefined && this.sharedSigning.has(prefix) ? this.bySigningName(prefix, path) : undefined) ??
    this.byEndpoint.get(prefix) ??
    this.bySigning.get(prefix);
  byQueryAction = (action: string) => (this.byAction ??= this.queryActions()).get(action);

  private queryActions(): Map<string, ServiceInfo> {
    const actions = JSON.parse(readFileSync(join(modelsDir, "query-actions.json"), "utf8")) as Record<string, string[]>;
    const byAction = new Map<string, ServiceInfo>();
    // In registry order: the first service with an action name keeps it.
    for (const s of this.services) for (const a of actions[s.name] ?? []) if (!byAction.has(a)) byAction.set(a, s);
    return byAction;
  }

  /** A service's definition if it is loaded already. */
  definitionOf = (name: string) => this.loaded.get(name);

  /** Loads a service's definition (once); undefined for a service with no handlers. */
  load(name: string): Promise<ServiceDefinition | undefined> {
    let p = this.definitions.get(name);
    if (!p) {
      const load = this.byName.get(name)?.declared.load;
      p = load
        ? load().then((m) => {
            this.loaded.set(name, m.default);
            return m.default;
          })
        : Promise.resolve(undefined);
      this.definitions.set(name, p);
    }
    return p;
  }

  /** Every implemented service's definition (the docs generator and coverage need them all). */
  loadAll(): Promise<ServiceDefinition[]> {
    return Promise.all(this.implemented.map(async (n) => (await this.load(n))!));
  }
}

function readRoutingFacts(): Record<string, RoutingFacts> {
  return JSON.parse(readFileSync(join(modelsDir, "index.json"), "utf8")) as Record<string, RoutingFacts>;
}
