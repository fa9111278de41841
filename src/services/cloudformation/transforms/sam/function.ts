// AWS::Serverless::Function → AWS::Lambda::Function, its execution role `<Fn>Role`, `<Fn>Version<hash>` and
// `<Fn>Alias<name>` (AutoPublishAlias), `<Fn>Url` (FunctionUrlConfig) and one set of resources per event, with the
// logical ids, properties and policies the SAM translator gives them (samtranslator/model/sam_resources.py,
// eventsources/push.py and pull.py; their expected outputs in tests/translator/output/).
import { copyProps, idHash, invalidEvent, invalidResource, isObj, type Obj, resolveParameterRefs, s3Location, tagList } from "./common.js";
import type { SamContext } from "./context.js";
import { assumeRoleBy, executionRole } from "./policies.js";

/** The properties AWS::Serverless::Function has (SamFunction.property_types). */
const FUNCTION_PROPS = new Set([
  "FunctionName",
  "Handler",
  "Runtime",
  "CodeUri",
  "ImageUri",
  "PackageType",
  "InlineCode",
  "DeadLetterQueue",
  "Description",
  "MemorySize",
  "Timeout",
  "VpcConfig",
  "Role",
  "AssumeRolePolicyDocument",
  "Policies",
  "RolePath",
  "PermissionsBoundary",
  "Environment",
  "Events",
  "Tags",
  "PropagateTags",
  "Tracing",
  "KmsKeyArn",
  "DeploymentPreference",
  "ReservedConcurrentExecutions",
  "Layers",
  "EventInvokeConfig",
  "EphemeralStorage",
  "AutoPublishAlias",
  "AutoPublishAliasAllProperties",
  "VersionDescription",
  "ProvisionedConcurrencyConfig",
  "FileSystemConfigs",
  "ImageConfig",
  "CodeSigningConfigArn",
  "Architectures",
  "SnapStart",
  "FunctionUrlConfig",
  "RuntimeManagementConfig",
  "LoggingConfig",
  "RecursiveLoop",
  "SourceKMSKeyArn",
  "CapacityProviderConfig",
  "FunctionScalingConfig",
  "VersionDeletionPolicy",
  "PublishToLatestPublished",
  "TenancyConfig",
  "DurableConfig",
]);

/** SAM properties this transform does not translate yet: refused with a clear error rather than dropped. */
const NOT_YET = [
  "DeploymentPreference",
  "EventInvokeConfig",
  "CapacityProviderConfig",
  "FunctionScalingConfig",
  "DurableConfig",
  "AutoPublishAliasAllProperties",
];

const awsManaged = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** The attributes SAM copies onto every resource it generates from one (get_passthrough_resource_attributes). */
export function passthrough(r: Obj): Obj {
  return copyProps({}, r, ["Condition", "DeletionPolicy", "UpdateReplacePolicy"]);
}

export async function translateFunction(ctx: SamContext, id: string, r: Obj): Promise<void> {
  const p = (r.Properties ?? {}) as Obj;
  if (!isObj(p)) throw invalidResource(id, "Attribute 'Properties' should be a map.");
  for (const k of Object.keys(p))
    if (!FUNCTION_PROPS.has(k)) throw invalidResource(id, `property ${k} not defined for resource of type AWS::Serverless::Function`);
  for (const k of NOT_YET)
    if (p[k] !== undefined && p[k] !== false) throw invalidResource(id, `Property '${k}' is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
  const attrs = passthrough(r);
  const packageType = p.PackageType ?? "Zip";
  if (packageType !== "Zip" && packageType !== "Image") throw invalidResource(id, `invalid 'PackageType' : ${String(packageType)}`);

  // The code: InlineCode wins over CodeUri (SAM's precedence); ImageUri for an image.
  let code: Obj;
  if (packageType === "Image") {
    if (p.ImageUri === undefined) throw invalidResource(id, "'ImageUri' must be set.");
    code = { ImageUri: p.ImageUri };
  } else if (p.InlineCode !== undefined) code = { ZipFile: p.InlineCode };
  else if (p.CodeUri !== undefined) code = s3Location(p.CodeUri, id, "CodeUri", ["S3Bucket", "S3Key", "S3ObjectVersion"]);
  else throw invalidResource(id, "Only one of 'InlineCode' or 'CodeUri' can be set.");
  if (p.SourceKMSKeyArn !== undefined && packageType === "Zip") code.SourceKMSKeyArn = p.SourceKMSKeyArn;
  if (packageType === "Zip" && (p.Runtime === undefined || p.Handler === undefined)) {
    throw invalidResource(id, "Runtime and Handler needs to be present when PackageType is of type `Zip`");
  }
  if (isObj(p.Tags) && "lambda:createdBy" in p.Tags) {
    throw invalidResource(id, "lambda:createdBy is a reserved Tag key name and cannot be set on your resource. Please change the tag key in the input.");
  }
  if (p.Layers !== undefined && !Array.isArray(p.Layers)) throw invalidResource(id, "Type of property 'Layers' is invalid.");
  const tags = tagList(p.Tags, ["lambda:createdBy", "SAM"]);

  const fn: Obj = copyProps({}, p, [
    "FunctionName",
    "Handler",
    "Runtime",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "KmsKeyArn",
    "ReservedConcurrentExecutions",
    "Layers",
    "FileSystemConfigs",
    "ImageConfig",
    "CodeSigningConfigArn",
    "Architectures",
    "SnapStart",
    "EphemeralStorage",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "TenancyConfig",
  ]);
  fn.Code = code;
  if (packageType === "Image") fn.PackageType = "Image";
  if (p.Tracing !== undefined) fn.TracingConfig = { Mode: p.Tracing };
  if (isObj(p.DeadLetterQueue)) fn.DeadLetterConfig = { TargetArn: p.DeadLetterQueue.TargetArn };
  fn.Tags = tags;

  // Event sources: what each adds to the role, and the resources it makes once the function is known.
  const events = p.Events === undefined ? {} : p.Events;
  if (!isObj(events)) throw invalidResource(id, "Type of property 'Events' is invalid.");
  const eventPolicies: unknown[] = [];
  for (const [name, e] of Object.entries(events)) {
    const type = isObj(e) ? e.Type : undefined;
    const policy = {
      SQS: "service-role/AWSLambdaSQSQueueExecutionRole",
      Kinesis: "service-role/AWSLambdaKinesisExecutionRole",
      DynamoDB: "service-role/AWSLambdaDynamoDBExecutionRole",
    }[String(type)];
    if (policy && !eventPolicies.includes(awsManaged(policy))) eventPolicies.push(awsManaged(policy));
    if (!isObj(e) || typeof type !== "string" || !EVENT_TYPES.has(type)) {
      throw invalidEvent(id, name, `Resource dict has missing or invalid value for key Type. Event Type is: ${typeof type === "string" ? type : "None"}.`);
    }
  }

  if (p.Role !== undefined) fn.Role = p.Role;
  else {
    const managed: unknown[] = [awsManaged("service-role/AWSLambdaBasicExecutionRole")];
    if (p.Tracing !== undefined && resolveParameterRefs(p.Tracing, ctx.params) !== "Disabled") managed.push(awsManaged("AWSXrayWriteOnlyAccess"));
    if (p.VpcConfig !== undefined) managed.push(awsManaged("service-role/AWSLambdaVPCAccessExecutionRole"));
    const documents: Obj[] = [];
    if (isObj(p.DeadLetterQueue)) {
      const action = { SQS: "sqs:SendMessage", SNS: "sns:Publish" }[String(p.DeadLetterQueue.Type)];
      if (!action) throw invalidResource(id, "'DeadLetterQueue' requires Type of SNS or SQS"); // unverified wording
      documents.push({
        PolicyName: "DeadLetterQueuePolicy",
        PolicyDocument: { Version: "2012-10-17", Statement: [{ Action: action, Resource: p.DeadLetterQueue.TargetArn, Effect: "Allow" }] },
      });
    }
    const role = await executionRole(
      {
        id,
        policies: p.Policies,
        managed,
        extraManaged: eventPolicies,
        documents,
        assumeRolePolicyDocument: p.AssumeRolePolicyDocument ?? assumeRoleBy("lambda.amazonaws.com"),
        tags,
        path: p.RolePath,
        permissionsBoundary: p.PermissionsBoundary,
        attributes: attrs,
      },
      ctx.arnOf,
    );
    ctx.add(id, `${id}Role`, role);
    fn.Role = { "Fn::GetAtt": [`${id}Role`, "Arn"] };
  }
  const fnResource: Obj = {
    Type: "AWS::Lambda::Function",
    ...copyProps({}, r, ["Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"]),
    Properties: fn,
  };
  ctx.add(id, id, fnResource);

  // AutoPublishAlias: a version named by a hash of what makes a new version, and the alias on it.
  let target: Obj = { Ref: id };
  let targetArn: Obj = { "Fn::GetAtt": [id, "Arn"] };
  let subTarget = `${id}.Arn`;
  let aliasName: string | undefined;
  if (p.AutoPublishAlias !== undefined) {
    const alias = resolveParameterRefs(p.AutoPublishAlias, ctx.params);
    if (!alias) throw invalidResource(id, "Alias name is required to create an alias");
    if (typeof alias !== "string" || !/^(?!^[0-9]+$)([a-zA-Z0-9\-_]+)$/.test(alias)) {
      throw invalidResource(
        id,
        `AutoPublishAlias name ('${String(alias)}') must contain only alphanumeric characters, hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.`,
      );
    }
    aliasName = alias;
    const hashed: Obj = { ...(resolveParameterRefs(code, ctx.params) as Obj) };
    if (isObj(p.Environment)) Object.assign(hashed, p.Environment);
    if (p.MemorySize) hashed.MemorySize = p.MemorySize;
    if (isObj(p.SnapStart) && (p.SnapStart.ApplyOn ?? "None") !== "None") hashed.SnapStart = p.SnapStart;
    const versionId = `${id}Version${idHash(hashed)}`;
    const version: Obj = copyProps({ FunctionName: { Ref: id } }, p, [["VersionDescription", "Description"]]);
    ctx.add(id, versionId, {
      Type: "AWS::Lambda::Version",
      ...attrs,
      DeletionPolicy: attrs.DeletionPolicy ?? p.VersionDeletionPolicy ?? "Retain",
      Properties: version,
    });
    const aliasId = `${id}Alias${alias.replace(/-/g, "D").replace(/_/g, "U")}`;
    const aliasProps: Obj = { Name: alias, FunctionName: { Ref: id }, FunctionVersion: { "Fn::GetAtt": [versionId, "Version"] } };
    if (p.ProvisionedConcurrencyConfig !== undefined) aliasProps.ProvisionedConcurrencyConfig = p.ProvisionedConcurrencyConfig;
    ctx.add(id, aliasId, { Type: "AWS::Lambda::Alias", ...attrs, Properties: aliasProps });
    ctx.renames.set(`${id}.Alias`, aliasId);
    ctx.renames.set(`${id}.Version`, versionId);
    target = { Ref: aliasId };
    targetArn = { Ref: aliasId };
    subTarget = aliasId;
  } else if (p.ProvisionedConcurrencyConfig !== undefined) {
    throw invalidResource(id, "To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function"); // unverified wording
  }

  if (p.FunctionUrlConfig !== undefined) {
    const u = p.FunctionUrlConfig;
    if (!isObj(u) || u.AuthType === undefined) {
      throw invalidResource(id, "AuthType is required to configure function property `FunctionUrlConfig`. Please provide either AWS_IAM or NONE.");
    }
    ctx.add(id, `${id}Url`, {
      Type: "AWS::Lambda::Url",
      ...attrs,
      Properties: copyProps({ TargetFunctionArn: target }, u, ["AuthType", "Cors", "InvokeMode"]),
    });
    if (u.AuthType === "NONE") {
      ctx.add(id, `${id}UrlPublicPermissions`, {
        Type: "AWS::Lambda::Permission",
        ...attrs,
        Properties: { Action: "lambda:InvokeFunctionUrl", FunctionName: target, FunctionUrlAuthType: "NONE", Principal: "*" },
      });
      ctx.add(id, `${id}URLInvokeAllowPublicAccess`, {
        Type: "AWS::Lambda::Permission",
        ...attrs,
        Properties: { Action: "lambda:InvokeFunction", FunctionName: target, InvokedViaFunctionUrl: true, Principal: "*" },
      });
    }
  }

  // An HTTP API's $default route to this function already permits every route (SAM then adds no other permission).
  const defaultRouteApis = new Set<unknown>();
  for (const e of Object.values(events) as Obj[]) {
    const ep = isObj(e.Properties) ? e.Properties : {};
    if (e.Type === "HttpApi" && ep.Path === undefined) defaultRouteApis.add(isObj(ep.ApiId) ? ep.ApiId.Ref : "ServerlessHttpApi");
  }
  for (const [name, e] of Object.entries(events)) {
    await translateEvent(ctx, { id, name, e: e as Obj, target, targetArn, subTarget, attrs, aliasName, defaultRouteApis });
  }
}

const EVENT_TYPES = new Set([
  "SQS",
  "SNS",
  "S3",
  "Kinesis",
  "DynamoDB",
  "Schedule",
  "ScheduleV2",
  "CloudWatchEvent",
  "EventBridgeRule",
  "Api",
  "HttpApi",
  "AlexaSkill",
  "IoTRule",
  "CloudWatchLogs",
  "Cognito",
  "MQ",
  "MSK",
  "SelfManagedKafka",
  "DocumentDB",
]);

const STREAM_PROPS = [
  "BatchSize",
  "Enabled",
  "FilterCriteria",
  "FunctionResponseTypes",
  "MaximumBatchingWindowInSeconds",
  "KmsKeyArn",
  "MetricsConfig",
  "StartingPosition",
  "StartingPositionTimestamp",
  "MaximumRetryAttempts",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "ParallelizationFactor",
  "DestinationConfig",
  "TumblingWindowInSeconds",
];
/** The properties of each event type this transform translates (others are refused, never dropped). */
const EVENT_PROPS: Record<string, string[]> = {
  SQS: ["Queue", ...STREAM_PROPS, "ScalingConfig"],
  Kinesis: ["Stream", ...STREAM_PROPS],
  DynamoDB: ["Stream", ...STREAM_PROPS],
  SNS: ["Topic", "Region", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy"],
  S3: ["Bucket", "Events", "Filter"],
  Schedule: ["Schedule", "Name", "Description", "State", "Enabled", "Input", "RetryPolicy", "Target"],
  CloudWatchEvent: ["Pattern", "EventBusName", "Input", "InputPath", "InputTransformer", "State", "Enabled", "RuleName", "RetryPolicy", "Target"],
  EventBridgeRule: ["Pattern", "EventBusName", "Input", "InputPath", "InputTransformer", "State", "Enabled", "RuleName", "RetryPolicy", "Target"],
  ScheduleV2: [
    "ScheduleExpression",
    "Name",
    "OmitName",
    "Description",
    "FlexibleTimeWindow",
    "State",
    "StartDate",
    "EndDate",
    "ScheduleExpressionTimezone",
    "GroupName",
    "KmsKeyArn",
    "Input",
    "RetryPolicy",
    "RoleArn",
    "PermissionsBoundary",
  ],
  Api: ["Path", "Method", "RestApiId", "Auth", "TimeoutInMillis", "RequestModel", "RequestParameters"],
  HttpApi: ["Path", "Method", "ApiId", "PayloadFormatVersion", "TimeoutInMillis", "Auth", "RouteSettings"],
  AlexaSkill: ["SkillId"],
  CloudWatchLogs: ["LogGroupName", "FilterPattern"],
  IoTRule: ["Sql", "AwsIotSqlVersion"],
};

interface EventInput {
  id: string;
  name: string;
  e: Obj;
  /** How the event's resources name the function: Ref to it, or to its alias. */
  target: Obj;
  targetArn: Obj;
  subTarget: string;
  attrs: Obj;
  aliasName?: string;
  defaultRouteApis: Set<unknown>;
}

const permission = (ei: EventInput, principal: string, extra: Obj): Obj => ({
  Type: "AWS::Lambda::Permission",
  ...ei.attrs,
  Properties: { Action: "lambda:InvokeFunction", FunctionName: ei.target, Principal: principal, ...extra },
});

async function translateEvent(ctx: SamContext, ei: EventInput): Promise<void> {
  const { id, name, e } = ei;
  const ep = (e.Properties ?? {}) as Obj;
  const logicalId = `${id}${name}`;
  const required = (prop: string) => {
    if (ep[prop] === undefined) throw invalidResource(logicalId, `Missing required property '${prop}'.`);
  };
  if (!isObj(ep)) throw invalidEvent(id, name, "Attribute 'Properties' should be a map."); // unverified wording
  const translated = EVENT_PROPS[String(e.Type)];
  for (const k of translated ? Object.keys(ep) : []) {
    if (!translated.includes(k)) throw invalidEvent(id, name, `Property '${k}' of a ${String(e.Type)} event is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
  }
  switch (e.Type) {
    case "SQS":
    case "Kinesis":
    case "DynamoDB": {
      const source = e.Type === "SQS" ? "Queue" : "Stream";
      required(source);
      if (e.Type !== "SQS") required("StartingPosition");
      const props = copyProps({ EventSourceArn: ep[source], FunctionName: ei.target }, ep, [...STREAM_PROPS, "ScalingConfig"]);
      ctx.add(id, logicalId, { Type: "AWS::Lambda::EventSourceMapping", ...ei.attrs, Properties: props });
      return;
    }
    case "SNS": {
      required("Topic");
      if (ep.SqsSubscription !== undefined) throw invalidEvent(id, name, "SqsSubscription is not supported by Stratus's SAM transform yet."); // Stratus's own wording
      ctx.add(id, `${logicalId}Permission`, permission(ei, "sns.amazonaws.com", { SourceArn: ep.Topic }));
      ctx.add(id, logicalId, {
        Type: "AWS::SNS::Subscription",
        ...ei.attrs,
        Properties: copyProps({ Endpoint: ei.targetArn, Protocol: "lambda", TopicArn: ep.Topic }, ep, [
          "Region",
          "FilterPolicy",
          "FilterPolicyScope",
          "RedrivePolicy",
        ]),
      });
      return;
    }
    case "S3": {
      const ref = isObj(ep.Bucket) ? ep.Bucket.Ref : undefined;
      const bucket = typeof ref === "string" ? ctx.resources[ref] : undefined;
      if (bucket?.Type !== "AWS::S3::Bucket") throw invalidEvent(id, name, "S3 events must reference an S3 bucket in the same template.");
      required("Events");
      const permissionId = `${logicalId}Permission`;
      ctx.add(id, permissionId, permission(ei, "s3.amazonaws.com", { SourceAccount: { Ref: "AWS::AccountId" } }));
      // The bucket's notification configuration gains one Lambda configuration per event; it waits for the permission.
      const props = (bucket.Properties ??= {}) as Obj;
      const conf = (props.NotificationConfiguration ??= {}) as Obj;
      const lambdas = (conf.LambdaConfigurations ??= []) as Obj[];
      for (const event of ([] as unknown[]).concat(ep.Events)) {
        lambdas.push(copyProps({ Event: event, Function: ei.targetArn }, ep, ["Filter"]));
      }
      const deps = bucket.DependsOn === undefined ? [] : ([] as unknown[]).concat(bucket.DependsOn);
      bucket.DependsOn = [...deps, permissionId];
      return;
    }
    case "Schedule":
    case "CloudWatchEvent":
    case "EventBridgeRule": {
      if (e.Type === "Schedule") required("Schedule");
      if (ep.DeadLetterConfig !== undefined) throw invalidEvent(id, name, "DeadLetterConfig is not supported by Stratus's SAM transform yet."); // Stratus's own wording
      if (ep.State !== undefined && ep.Enabled !== undefined)
        throw invalidResource(id, `Event with id [${name}] is invalid. State and Enabled Properties cannot both be specified.`);
      const rule: Obj = {};
      if (e.Type === "Schedule") rule.ScheduleExpression = ep.Schedule;
      else copyProps(rule, ep, ["EventBusName", ["Pattern", "EventPattern"]]);
      copyProps(rule, ep, ["Name", "Description", "State"]);
      if (e.Type !== "Schedule") copyProps(rule, ep, [["RuleName", "Name"]]);
      if (typeof ep.Enabled === "boolean") rule.State = ep.Enabled ? "ENABLED" : "DISABLED";
      const targetId = isObj(ep.Target) && ep.Target.Id !== undefined ? ep.Target.Id : `${logicalId}LambdaTarget`;
      rule.Targets = [copyProps({ Arn: ei.targetArn, Id: targetId }, ep, ["Input", "InputPath", "InputTransformer", "RetryPolicy"])];
      ctx.add(id, logicalId, { Type: "AWS::Events::Rule", ...ei.attrs, Properties: rule });
      ctx.add(id, `${logicalId}Permission`, permission(ei, "events.amazonaws.com", { SourceArn: { "Fn::GetAtt": [logicalId, "Arn"] } }));
      return;
    }
    case "ScheduleV2": {
      required("ScheduleExpression");
      if (ep.DeadLetterConfig !== undefined) throw invalidEvent(id, name, "DeadLetterConfig is not supported by Stratus's SAM transform yet."); // Stratus's own wording
      const schedule: Obj = copyProps({}, ep, [
        "ScheduleExpression",
        "Description",
        "State",
        "StartDate",
        "EndDate",
        "ScheduleExpressionTimezone",
        "GroupName",
        "KmsKeyArn",
      ]);
      if (!ep.OmitName) schedule.Name = ep.Name ?? logicalId;
      schedule.FlexibleTimeWindow = ep.FlexibleTimeWindow ?? { Mode: "OFF" };
      const roleId = `${logicalId}Role`;
      schedule.Target = copyProps({ Arn: ei.targetArn, RoleArn: ep.RoleArn ?? { "Fn::GetAtt": [roleId, "Arn"] } }, ep, ["Input", "RetryPolicy"]);
      ctx.add(id, logicalId, { Type: "AWS::Scheduler::Schedule", ...ei.attrs, Properties: schedule });
      if (ep.RoleArn === undefined) {
        const role: Obj = {
          AssumeRolePolicyDocument: assumeRoleBy("scheduler.amazonaws.com"),
          Policies: [
            {
              PolicyName: `${logicalId}LambdaPolicy`,
              PolicyDocument: { Statement: [{ Action: "lambda:InvokeFunction", Effect: "Allow", Resource: ei.targetArn }] },
            },
          ],
        };
        if (ep.PermissionsBoundary !== undefined) role.PermissionsBoundary = ep.PermissionsBoundary;
        ctx.add(id, roleId, { Type: "AWS::IAM::Role", ...ei.attrs, Properties: role });
      }
      return;
    }
    case "Api": {
      required("Path");
      required("Method");
      const api = restApiOf(ctx, id, name, ep.RestApiId);
      const method = String(ep.Method).toLowerCase();
      (ctx.restRoutes.get(api.id) ?? ctx.restRoutes.set(api.id, []).get(api.id)!).push({
        path: String(ep.Path),
        method,
        target: ei.subTarget,
        auth: ep.Auth,
        extras: copyProps({}, ep, ["TimeoutInMillis", "RequestModel", "RequestParameters"]),
        fn: id,
        event: name,
      });
      const arnPath = `${method === "any" ? "*" : method.toUpperCase()}${String(ep.Path).replace(/\{[^}]+\}/g, "*")}`;
      ctx.add(id, `${logicalId}Permission${api.stageSuffix}`, {
        ...permission(ei, "apigateway.amazonaws.com", {
          SourceArn: {
            "Fn::Sub": [
              `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${__ApiId__}/\${__Stage__}/${arnPath}`,
              { __ApiId__: { Ref: api.id }, __Stage__: "*" },
            ],
          },
        }),
      });
      return;
    }
    case "HttpApi": {
      const apiRef = ep.ApiId;
      let apiId = "ServerlessHttpApi";
      if (apiRef !== undefined) {
        const ref = isObj(apiRef) ? apiRef.Ref : undefined;
        if (typeof ref !== "string" || ctx.input.Resources[ref]?.Type !== "AWS::Serverless::HttpApi") {
          throw invalidEvent(id, name, "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.");
        }
        apiId = ref;
      }
      const path = ep.Path === undefined ? "$default" : String(ep.Path);
      const method = ep.Method === undefined ? "any" : String(ep.Method).toLowerCase();
      (ctx.httpRoutes.get(apiId) ?? ctx.httpRoutes.set(apiId, []).get(apiId)!).push({
        path,
        method,
        target: ei.subTarget,
        payloadFormatVersion: ep.PayloadFormatVersion,
        timeoutInMillis: ep.TimeoutInMillis,
        auth: ep.Auth,
        fn: id,
        event: name,
        ...(ep.RouteSettings !== undefined
          ? { routeSettings: { route: ep.Method === undefined ? path : `${String(ep.Method).toUpperCase()} ${path}`, settings: ep.RouteSettings } }
          : {}),
      });
      if (path !== "$default" && ei.defaultRouteApis.has(apiId)) return;
      // API Gateway drops a path's trailing slash; the permission's ARN does too (push.py's HttpApi._get_permission).
      const arnPath =
        path === "$default" ? "*" : `${method === "any" ? "*" : method.toUpperCase()}${path.replace(/^(.+)\/$/, "$1").replace(/\{[^}]+\}/g, "*")}`;
      ctx.add(
        id,
        `${logicalId}Permission`,
        permission(ei, "apigateway.amazonaws.com", {
          SourceArn: {
            "Fn::Sub": [
              `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${__ApiId__}/\${__Stage__}/${arnPath}`,
              { __ApiId__: { Ref: apiId }, __Stage__: "*" },
            ],
          },
        }),
      );
      return;
    }
    case "CloudWatchLogs": {
      required("LogGroupName");
      required("FilterPattern");
      const permissionId = `${logicalId}Permission`;
      ctx.add(
        id,
        permissionId,
        permission(ei, "logs.amazonaws.com", {
          SourceArn: { "Fn::Sub": ["arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*", { __LogGroupName__: ep.LogGroupName }] },
        }),
      );
      ctx.add(id, logicalId, {
        Type: "AWS::Logs::SubscriptionFilter",
        ...ei.attrs,
        DependsOn: [permissionId],
        Properties: { DestinationArn: ei.targetArn, FilterPattern: ep.FilterPattern, LogGroupName: ep.LogGroupName },
      });
      return;
    }
    case "IoTRule": {
      required("Sql");
      const payload: Obj = { Actions: [{ Lambda: { FunctionArn: ei.targetArn } }], RuleDisabled: false, Sql: ep.Sql };
      if (ep.AwsIotSqlVersion !== undefined) payload.AwsIotSqlVersion = ep.AwsIotSqlVersion;
      ctx.add(id, logicalId, { Type: "AWS::IoT::TopicRule", ...ei.attrs, Properties: { TopicRulePayload: payload } });
      ctx.add(
        id,
        `${logicalId}Permission`,
        permission(ei, "iot.amazonaws.com", {
          SourceAccount: { "Fn::Sub": "${AWS::AccountId}" },
          SourceArn: { "Fn::Sub": ["arn:aws:iot:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}", { RuleName: { Ref: logicalId } }] },
        }),
      );
      return;
    }
    case "AlexaSkill": {
      ctx.add(id, `${logicalId}Permission`, permission(ei, "alexa-appkit.amazon.com", copyProps({}, ep, [["SkillId", "EventSourceToken"]])));
      return;
    }
    default:
      throw invalidEvent(id, name, `Event source ${String(e.Type)} is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
  }
}

/** The REST API an Api event adds its route to: the implicit ServerlessRestApi, or a Serverless::Api it names. */
function restApiOf(ctx: SamContext, fn: string, event: string, ref: unknown): { id: string; stageSuffix: string } {
  if (ref === undefined) return { id: "ServerlessRestApi", stageSuffix: "Prod" };
  const id = isObj(ref) ? ref.Ref : undefined;
  const api = typeof id === "string" ? ctx.input.Resources[id] : undefined;
  if (api?.Type !== "AWS::Serverless::Api") {
    throw invalidEvent(fn, event, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.");
  }
  const stage = (api.Properties as Obj | undefined)?.StageName;
  return { id: id as string, stageSuffix: typeof stage === "string" ? stage.replace(/[^A-Za-z0-9]/g, "") : "Stage" };
}
