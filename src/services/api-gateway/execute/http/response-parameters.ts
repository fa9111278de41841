// An HTTP API integration's responseParameters: for the status code the backend answered, header mappings
// (append:/overwrite:/remove:header.<name>) and overwrite:statuscode, their values static text or $response.header.x,
// $response.body.<path>, $context.x and $stageVariables.x
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
import type { HttpCall, ProxyAnswer } from "./payload.js";

function bodyPath(body: Buffer, path: string): string {
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    return "";
  }
  for (const part of path.split(".").filter(Boolean)) {
    if (v === null || typeof v !== "object") return "";
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

export function applyResponseParameters(
  a: ProxyAnswer,
  params: Record<string, Record<string, string>>,
  c: HttpCall,
  context: Record<string, string>,
): ProxyAnswer {
  const mappings = params[String(a.statusCode)];
  if (!mappings) return a;
  const value = (v: string) =>
    v.replace(
      /\$(response\.header\.[A-Za-z0-9_-]+|response\.body(?:\.[A-Za-z0-9_.$-]+)?|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)/g,
      (ref: string) => {
        const r = ref.slice(1);
        if (r.startsWith("response.header.")) return a.headers.get(r.slice(16).toLowerCase())?.join(",") ?? "";
        if (r === "response.body") return a.body.toString("utf8");
        if (r.startsWith("response.body.")) return bodyPath(a.body, r.slice(14).replace(/^\$\.?/, ""));
        if (r.startsWith("context.")) return context[r.slice(8)] ?? "";
        return c.stageVariables[r.slice(15)] ?? "";
      },
    );
  const headers = new Map(a.headers);
  let statusCode = a.statusCode;
  for (const [key, v] of Object.entries(mappings)) {
    const m = /^(append|overwrite|remove):(header\.(.+)|statuscode)$/i.exec(key);
    if (!m) continue;
    const action = m[1]!.toLowerCase();
    const name = m[3]?.toLowerCase();
    if (!name) {
      const s = Number(value(v));
      if (action === "overwrite" && Number.isInteger(s) && s >= 100 && s <= 599) statusCode = s;
    } else if (action === "remove") headers.delete(name);
    else if (action === "append" && headers.has(name)) headers.set(name, [...headers.get(name)!, value(v)]);
    else headers.set(name, [value(v)]);
  }
  return { statusCode, headers, body: a.body };
}
