// AWS::CloudWatch::Dashboard for CloudFormation (core/resources.ts), through CloudWatch's own operations: Ref is the
// dashboard's name (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html);
// a name the template leaves out is `<stack>-<logicalId>-<RANDOM>` (255 characters at most). PutDashboard replaces the
// body in place (DashboardName is create-only: a new name replaces the dashboard).
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";

const PROPS = new Set(["DashboardName", "DashboardBody"]);

async function put(req: ResourceRequest, name: string) {
  const extra = Object.keys(req.properties).filter((k) => !PROPS.has(k));
  if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::CloudWatch::Dashboard properties ${extra.join(", ")} yet.`, 400);
  await req.ctx.client("cloudwatch").putDashboard({ DashboardName: name, DashboardBody: String(req.properties.DashboardBody) });
  return { physicalId: name, ref: name };
}

export const dashboardProviders = {
  "AWS::CloudWatch::Dashboard": {
    create: (req) => put(req, (req.properties.DashboardName as string | undefined) ?? req.generateName(255)),
    update: (req) => put(req, req.physicalId),
    async read({ ctx, physicalId }) {
      try {
        const d = await ctx.client("cloudwatch").getDashboard({ DashboardName: physicalId });
        return { DashboardName: d.DashboardName, DashboardBody: d.DashboardBody };
      } catch (e) {
        if (isServiceError(e) && e.code === "ResourceNotFound") return undefined;
        throw e;
      }
    },
    async list(ctx) {
      const out: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("cloudwatch").listDashboards({ NextToken });
        out.push(...(page.DashboardEntries ?? []).map((d) => d.DashboardName!));
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch").deleteDashboards({ DashboardNames: [req.physicalId] });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ResourceNotFound")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
