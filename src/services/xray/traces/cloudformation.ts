// AWS::XRay::Group for CloudFormation (core/resources.ts), through X-Ray's own group operations. The physical id
// and Ref are the group's ARN; GetAtt GroupARN. GroupName changes replace the group (the resource specification's
// createOnly property); FilterExpression and InsightsConfiguration update it in place.
import { isServiceError } from "../../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../../core/resources.js";
import type { InsightsConfiguration } from "../api.generated.js";

const settings = (req: ResourceRequest) => ({
  FilterExpression: req.properties.FilterExpression as string | undefined,
  InsightsConfiguration: req.properties.InsightsConfiguration as InsightsConfiguration | undefined,
});

const result = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { GroupARN: arn } });

export default {
  "AWS::XRay::Group": {
    async create(req) {
      const tags = req.properties.Tags as { Key: string; Value: string }[] | undefined;
      const name = (req.properties.GroupName as string | undefined) ?? req.generateName(32);
      const g = await req.ctx.client("xray").createGroup({ GroupName: name, ...settings(req), ...(tags ? { Tags: tags } : {}) });
      return result(g.Group!.GroupARN!);
    },
    async update(req) {
      await req.ctx.client("xray").updateGroup({ GroupARN: req.physicalId, ...settings(req) });
      return result(req.physicalId);
    },
    async read({ ctx, physicalId }) {
      try {
        const g = (await ctx.client("xray").getGroup({ GroupARN: physicalId })).Group!;
        return {
          GroupName: g.GroupName,
          GroupARN: g.GroupARN,
          ...(g.FilterExpression !== undefined ? { FilterExpression: g.FilterExpression } : {}),
          InsightsConfiguration: g.InsightsConfiguration,
        };
      } catch (e) {
        if (isServiceError(e) && e.code === "InvalidRequestException") return undefined;
        throw e;
      }
    },
    notRead: ["Tags"],
    async list(ctx) {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("xray").getGroups({ NextToken });
        for (const g of page.Groups ?? []) if (g.GroupName !== "Default" && g.GroupARN) arns.push(g.GroupARN);
        NextToken = page.NextToken;
      } while (NextToken);
      return arns;
    },
    async delete(req) {
      try {
        await req.ctx.client("xray").deleteGroup({ GroupARN: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "InvalidRequestException")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
