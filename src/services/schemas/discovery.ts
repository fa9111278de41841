// Schema discovery: events a started discoverer's bus takes (internal.ts observeEvents) are queued in memory and
// inferred in batches a moment later, off PutEvents' path: per account, region and `<source>@<DetailType>`, the events'
// type trees merge with the schema's stored tree (infer.ts), and a new version of the schema in discovered-schemas is
// written only when the rendered OpenAPI document changes. The merged trees are stored (table `trees`) so a restart
// keeps merging where it left off.
import type { ServiceHost } from "../../core/service.js";
import { discoveredName, envelopeOf, isEnvelope, mergeEnvelope, renderEnvelope, type EnvelopeTree } from "./infer.js";
import { ensureDiscoveredRegistry } from "./registries.js";
import { addVersion } from "./schema-store.js";
import { DISCOVERED_REGISTRY, schemaKey, schemasState, startedKey, transaction, versionKey, type SchemaRec, type SchemasInstance } from "./state.js";

/** How long events gather before a batch is inferred. */
const BATCH_MS = 50;

export class Discovery implements SchemasInstance {
  readonly started = new Map<string, { crossAccount: boolean }>();
  private pending: { account: string; region: string; event: Record<string, unknown> }[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Each discovered schema's merged tree as last stored, and its JSON: most batches change nothing and write nothing. */
  private readonly trees = new Map<string, { tree: EnvelopeTree; json: string }>();

  constructor(readonly host: ServiceHost) {
    for (const { account, region } of schemasState.all(host, "discoverers")) this.refresh(account, region);
    host.onDrain(async () => this.flush());
  }

  refresh(account: string, region: string): void {
    const prefix = `${account}/${region}/`;
    for (const k of [...this.started.keys()]) if (k.startsWith(prefix)) this.started.delete(k);
    for (const { value: d } of schemasState.at(this.host, account, region).discoverers.list()) {
      if (d.state !== "STARTED") continue;
      const key = startedKey(account, region, d.sourceArn);
      const was = this.started.get(key);
      this.started.set(key, { crossAccount: d.crossAccount || !!was?.crossAccount });
    }
  }

  forget(account: string, region: string, name: string): void {
    this.trees.delete(`${account}/${region}|${name}`);
  }

  enqueue(account: string, region: string, _busArn: string, event: Record<string, unknown>): void {
    this.pending.push({ account, region, event });
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS).unref();
  }

  /** Infers every queued event now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    const groups = new Map<string, { account: string; region: string; name: string; tree: EnvelopeTree }>();
    for (const { account, region, event } of batch) {
      if (!isEnvelope(event)) continue;
      const tree = envelopeOf(event);
      const name = discoveredName(tree.source, tree.detailType);
      const key = `${account}/${region}|${name}`;
      const g = groups.get(key);
      if (g) g.tree = mergeEnvelope(g.tree, tree);
      else groups.set(key, { account, region, name, tree });
    }
    for (const g of groups.values()) {
      try {
        this.write(g.account, g.region, g.name, g.tree);
      } catch (e) {
        this.host.logger.warn(`schema discovery: ${g.name}: ${(e as Error).message}`);
      }
    }
  }

  private write(account: string, region: string, name: string, observed: EnvelopeTree): void {
    const t = schemasState.at(this.host, account, region);
    const cacheKey = `${account}/${region}|${name}`;
    let cached = this.trees.get(cacheKey);
    if (!cached) {
      const tree = t.trees.get(name);
      if (tree) this.trees.set(cacheKey, (cached = { tree, json: JSON.stringify(tree) }));
    }
    const tree = cached ? mergeEnvelope(cached.tree, observed) : observed;
    const json = JSON.stringify(tree);
    if (cached?.json === json) return;
    const content = renderEnvelope(tree);
    const now = this.host.clock.now();
    transaction(this.host, () => {
      ensureDiscoveredRegistry(t, now);
      t.trees.put(name, tree);
      const key = schemaKey(DISCOVERED_REGISTRY, name);
      const s: SchemaRec = t.schemas.get(key) ?? {
        registry: DISCOVERED_REGISTRY,
        name,
        tags: {},
        type: "OpenApi3",
        latest: 0,
        versions: [],
        lastModified: now,
      };
      const latest = s.versions.length ? t.versions.get(versionKey(s.registry, name, s.versions[s.versions.length - 1])) : undefined;
      if (latest?.content !== content) addVersion(t, s, "OpenApi3", content, now);
    });
    this.trees.set(cacheKey, { tree, json });
  }
}
