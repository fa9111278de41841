// PetStore-like OpenAPI definitions for the import/export tests: Swagger 2.0 (JSON) and OpenAPI 3.0 (YAML), with
// Lambda proxy, MOCK and HTTP integrations, request validators, models, a Lambda authorizer, an API key, gateway
// responses and the API-level x-amazon-apigateway-* settings.
const LAMBDA = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`;
export const PETS_URI = LAMBDA("pets");
export const AUTH_URI = LAMBDA("auth");

export const POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" }],
};

export function swaggerPetStore(extra: Record<string, unknown> = {}) {
  return {
    swagger: "2.0",
    info: { title: "PetStore", description: "Pets for sale", version: "2024-01-01" },
    basePath: "/v1",
    schemes: ["https"],
    consumes: ["application/json"],
    produces: ["application/json"],
    "x-amazon-apigateway-request-validators": {
      all: { validateRequestBody: true, validateRequestParameters: true },
      params: { validateRequestBody: false, validateRequestParameters: true },
    },
    "x-amazon-apigateway-request-validator": "params",
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-policy": POLICY,
    "x-amazon-apigateway-gateway-responses": {
      MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { "application/json": '{"message":"no such route"}' } },
    },
    securityDefinitions: {
      api_key: { type: "apiKey", name: "x-api-key", in: "header" },
      tokenAuth: {
        type: "apiKey",
        name: "Authorization",
        in: "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": { type: "token", authorizerUri: AUTH_URI, authorizerResultTtlInSeconds: 60 },
      },
    },
    paths: {
      "/pets": {
        get: {
          operationId: "ListPets",
          parameters: [
            { name: "type", in: "query", type: "string" },
            { name: "page", in: "query", required: true, type: "string" },
          ],
          responses: { "200": { description: "ok", schema: { $ref: "#/definitions/Pets" }, headers: { "Access-Control-Allow-Origin": { type: "string" } } } },
          "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: PETS_URI, passthroughBehavior: "when_no_match" },
        },
        post: {
          operationId: "CreatePet",
          security: [{ tokenAuth: [] }],
          "x-amazon-apigateway-request-validator": "all",
          parameters: [{ in: "body", name: "NewPet", required: true, schema: { $ref: "#/definitions/NewPet" } }],
          responses: { "200": { description: "created", schema: { $ref: "#/definitions/Pet" } }, "400": { description: "bad" } },
          "x-amazon-apigateway-integration": {
            type: "mock",
            requestTemplates: { "application/json": '{"statusCode": 200}' },
            passthroughBehavior: "never",
            responses: {
              default: { statusCode: "200", responseTemplates: { "application/json": '{"id": 1}' } },
              "4\\d{2}": { statusCode: "400", responseParameters: { "method.response.header.x-err": "'yes'" } },
            },
          },
        },
      },
      "/pets/{petId}": {
        get: {
          security: [{ api_key: [] }],
          parameters: [{ name: "petId", in: "path", required: true, type: "string" }],
          responses: { "200": { description: "one", schema: { $ref: "#/definitions/Pet" } } },
          "x-amazon-apigateway-integration": {
            type: "http",
            httpMethod: "GET",
            uri: "http://petstore.example.com/pets/{id}",
            requestParameters: { "integration.request.path.id": "method.request.path.petId" },
            responses: { default: { statusCode: "200" } },
            timeoutInMillis: 5000,
          },
        },
      },
      "/{proxy+}": {
        "x-amazon-apigateway-any-method": {
          parameters: [{ name: "proxy", in: "path", required: true, type: "string" }],
          responses: {},
          "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: PETS_URI },
        },
      },
    },
    definitions: {
      NewPet: { type: "object", required: ["type", "price"], properties: { type: { type: "string", enum: ["dog", "cat"] }, price: { type: "number" } } },
      Pet: { type: "object", properties: { id: { type: "integer" }, type: { type: "string" } } },
      Pets: { type: "array", items: { $ref: "#/definitions/Pet" } },
    },
    ...extra,
  };
}

export const OAS3_YAML = `
openapi: 3.0.1
info:
  title: PetStore3
  version: "1.0"
servers:
  - url: https://example.com/{basePath}
    variables:
      basePath:
        default: /prod/api
x-amazon-apigateway-request-validators:
  body-only:
    validateRequestBody: true
    validateRequestParameters: false
x-amazon-apigateway-endpoint-configuration:
  disableExecuteApiEndpoint: false
paths:
  /pets:
    post:
      operationId: AddPet
      x-amazon-apigateway-request-validator: body-only
      security:
        - cognito: [pets/write]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Pet'
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: ${PETS_URI}
    options:
      responses:
        "200":
          description: CORS
          headers:
            Access-Control-Allow-Origin:
              schema:
                type: string
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
  /pets/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema:
          type: string
    delete:
      security:
        - sigv4: []
      parameters:
        - name: X-Trace
          in: header
          required: true
          schema:
            type: string
      responses:
        "204":
          description: gone
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: ${PETS_URI}
components:
  schemas:
    Pet:
      type: object
      properties:
        name:
          type: string
        owner:
          $ref: '#/components/schemas/Owner'
    Owner:
      type: object
      properties:
        name:
          type: string
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
    cognito:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs:
          - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
`;

export const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
