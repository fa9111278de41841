// Shared set-up for the Lambda tests: clients for one account, an execution role Lambda can assume, zips of
// handler code, and a function created and waited on until Active, as a real deployment would.
import { IAMClient, CreateRoleCommand } from "@aws-sdk/client-iam";
import { LambdaClient, CreateFunctionCommand, GetFunctionConfigurationCommand, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import { makeZip, type ZipInput } from "../../helpers/zip.js";
import { randomAccount, type TestServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";

export const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export interface LambdaEnv {
  account: string;
  lambda: LambdaClient;
  iam: IAMClient;
  role: string;
}

/** A fresh account with a Lambda client and an execution role (lambda-role) that trusts Lambda. */
export async function lambdaEnv(server: TestServer, account = randomAccount()): Promise<LambdaEnv> {
  const config = server.clientConfig({ account });
  const iam = new IAMClient(config);
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "lambda-role", AssumeRolePolicyDocument: TRUST }));
  return { account, lambda: new LambdaClient(config), iam, role: Role!.Arn! };
}

export const zip = (files: ZipInput[] | Record<string, Buffer | string>) => makeZip(files);

/** Creates a function and waits (as the SDK waiter would) until it is Active. */
export async function createFunction(env: LambdaEnv, input: Partial<CreateFunctionCommandInput> & { FunctionName: string; code?: Record<string, string> }) {
  const { code, ...rest } = input;
  const out = await env.lambda.send(
    new CreateFunctionCommand({
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: env.role,
      Code: { ZipFile: zip(code ?? { "index.mjs": "export const handler = async (event) => ({ ok: true, event });" }) },
      ...rest,
    }),
  );
  await waitUntil(async () => {
    const c = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: input.FunctionName }));
    return c.State === "Active" && c.LastUpdateStatus !== "InProgress";
  }, `function ${input.FunctionName} to become Active`);
  return out;
}

export const json = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString("utf8"));
export const payload = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A Secrets Manager rotation function (Python, boto3 inside): the four steps, a new password in createSecret. */
export const PYTHON_ROTATOR = `
import json, os, boto3

sm = boto3.client("secretsmanager")

def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    print("rotation step " + step)
    if step == "createSecret":
        current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        try:
            sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except sm.exceptions.ResourceNotFoundException:
            current["password"] = "rotated-" + token[:8]
            sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"])
    elif step == "finishSecret":
        meta = sm.describe_secret(SecretId=arn)
        old = next(v for v, stages in meta["VersionIdsToStages"].items() if "AWSCURRENT" in stages)
        if old != token:
            sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=old)
    elif step not in ("setSecret", "testSecret"):
        raise ValueError("unknown step " + step)
`;
