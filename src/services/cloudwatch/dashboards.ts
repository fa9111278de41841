// Dashboards: per account (their ARN is global, arn:aws:cloudwatch::<account>:dashboard/<name>), the body checked for
// the structure CloudWatch requires and refused with its "The dashboard body is invalid, there are N validation errors"
// list (the format AWS answers, as seen in its PutDashboard errors), kept verbatim.
import { globalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import {
  type CloudwatchApi,
  DashboardInvalidInputError,
  DashboardNotFoundError,
  type DashboardValidationMessage,
  type DeleteDashboardsInput,
  type GetDashboardInput,
  InvalidParameterValueException,
  type ListDashboardsInput,
  type PutDashboardInput,
} from "./api.generated.js";
import { cloudwatchState, type DashboardRec } from "./state.js";

const NAME = /^[A-Za-z0-9_-]+$/;
const WIDGET_TYPES = new Set(["metric", "text", "log", "alarm", "explorer", "custom"]);
const PAGE = 1000;

const arnOf = (ctx: HandlerContext, name: string) => globalArn(ctx, "cloudwatch", `dashboard/${name}`);

function checkName(name: string, field = "DashboardName"): void {
  // Source: LocalStack's recorded AWS snapshot (test_invalid_dashboard_name), trailing newline included.
  if (!NAME.test(name) || name.length > 255)
    throw new InvalidParameterValueException(
      `The value for field ${field} contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).\n`,
    );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The body's problems as CloudWatch lists them: a JSON pointer to the offending part and an ajv-style message. */
export function validateBody(body: string): DashboardValidationMessage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return [{ DataPath: "", Message: "Should be valid JSON" }]; // unverified wording
  }
  const out: DashboardValidationMessage[] = [];
  const bad = (path: string, message: string) => out.push({ DataPath: path, Message: message });
  if (!isObject(doc)) {
    bad("", "Should be object");
    return out;
  }
  if (!("widgets" in doc)) {
    bad("", "Should have required property 'widgets'");
    return out;
  }
  if (!Array.isArray(doc.widgets)) {
    bad("/widgets", "Should be array");
    return out;
  }
  doc.widgets.forEach((w, i) => {
    const at = `/widgets/${i}`;
    if (!isObject(w)) return bad(at, "Should be object");
    if (!("type" in w)) return bad(at, "Should have required property 'type'");
    if (typeof w.type !== "string" || !WIDGET_TYPES.has(w.type)) return bad(`${at}/type`, "Should be equal to one of the allowed values");
    for (const k of ["x", "y"] as const)
      if (k in w && (!Number.isInteger(w[k]) || (w[k] as number) < 0)) bad(`${at}/${k}`, "Should be integer greater than or equal to 0"); // unverified wording
    for (const k of ["width", "height"] as const)
      if (k in w && (!Number.isInteger(w[k]) || (w[k] as number) < 1 || (w[k] as number) > (k === "width" ? 24 : 1000)))
        bad(`${at}/${k}`, `Should be integer between 1 and ${k === "width" ? 24 : 1000}`); // unverified wording
    if (!("properties" in w)) return bad(at, "Should have required property 'properties'");
    if (!isObject(w.properties)) return bad(`${at}/properties`, "Should be object");
    const props = w.properties;
    if (w.type === "text" && typeof props.markdown !== "string") bad(`${at}/properties`, "Should have required property 'markdown'");
    if (w.type === "metric" && "metrics" in props) {
      if (!Array.isArray(props.metrics)) return bad(`${at}/properties/metrics`, "Should be array");
      props.metrics.forEach((m, j) => {
        const mp = `${at}/properties/metrics/${j}`;
        if (!Array.isArray(m)) return bad(mp, "Should be array");
        // [namespace, name, dimName, dimValue, …, {options}?]; "..." and "." repeat the row above.
        m.forEach((part, k) => {
          const last = k === m.length - 1;
          if (typeof part !== "string" && !(last && isObject(part))) bad(`${mp}/${k}`, `Invalid metric field type, only "String" type is allowed`);
        });
      });
    }
  });
  return out;
}

export const dashboards = {
  putDashboard(input: PutDashboardInput, ctx: HandlerContext) {
    checkName(input.DashboardName);
    const problems = validateBody(input.DashboardBody);
    if (problems.length)
      throw new DashboardInvalidInputError(
        `The dashboard body is invalid, there are ${problems.length} validation errors:\n${JSON.stringify(
          problems.map((p) => ({ dataPath: p.DataPath, message: p.Message })),
          null,
          2,
        )}`,
        { dashboardValidationMessages: problems },
      );
    const rec: DashboardRec = { name: input.DashboardName, body: input.DashboardBody, lastModified: ctx.now() };
    cloudwatchState.of(ctx).dashboards.put(input.DashboardName, rec);
    return { DashboardValidationMessages: [] };
  },

  getDashboard(input: GetDashboardInput, ctx: HandlerContext) {
    const rec = cloudwatchState.of(ctx).dashboards.get(input.DashboardName);
    if (!rec) throw new DashboardNotFoundError(`Dashboard ${input.DashboardName} does not exist`); // unverified wording
    return { DashboardName: rec.name, DashboardArn: arnOf(ctx, rec.name), DashboardBody: rec.body };
  },

  listDashboards(input: ListDashboardsInput, ctx: HandlerContext) {
    const prefix = input.DashboardNamePrefix ?? "";
    if (prefix) checkName(prefix, "DashboardNamePrefix");
    const after =
      input.NextToken === undefined
        ? undefined
        : decodePageToken<string>("ListDashboards", input.NextToken, () => new InvalidParameterValueException("The service cannot process the NextToken."), {
            bind: prefix,
          }); // unverified wording
    const rows = cloudwatchState.of(ctx).dashboards.list({ prefix, after, limit: PAGE + 1 });
    const page = rows.slice(0, PAGE);
    return {
      DashboardEntries: page.map(({ value: d }) => ({
        DashboardName: d.name,
        DashboardArn: arnOf(ctx, d.name),
        LastModified: new Date(d.lastModified),
        Size: Buffer.byteLength(d.body, "utf8"),
      })),
      NextToken: rows.length > PAGE ? encodePageToken("ListDashboards", page[page.length - 1].key, prefix) : undefined,
    };
  },

  deleteDashboards(input: DeleteDashboardsInput, ctx: HandlerContext) {
    const table = cloudwatchState.of(ctx).dashboards;
    // All or nothing: a name that does not exist fails the call before any is deleted.
    const missing = input.DashboardNames.filter((n) => !table.has(n));
    if (missing.length) throw new DashboardNotFoundError(`The specified dashboard does not exist. [${missing.join(", ")}]`); // unverified wording (moto's)
    for (const n of input.DashboardNames) table.delete(n);
    return {};
  },
} satisfies Partial<CloudwatchApi>;
