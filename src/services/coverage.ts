// Which operations each catalogued service implements, read from the registered handlers (for docs and health).
import { loadModel } from "../core/model.js";
import { defaultCatalog } from "./registry.js";

export interface ServiceCoverage {
  name: string;
  serviceId: string;
  protocols: string[];
  total: number;
  implemented: string[];
}

export async function coverage(): Promise<ServiceCoverage[]> {
  const catalog = defaultCatalog();
  await catalog.loadAll();
  return catalog.services.map((s) => {
    const ops = Object.keys(loadModel(s.name).operations).sort();
    const handlers = catalog.definitionOf(s.name)?.handlers ?? {};
    const implemented = ops.filter((o) => handlers[o.charAt(0).toLowerCase() + o.slice(1)]);
    return { name: s.name, serviceId: s.serviceId, protocols: s.protocols, total: ops.length, implemented };
  });
}
