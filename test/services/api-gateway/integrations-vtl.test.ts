// Mapping templates as API Gateway renders them (velocityjs with AWS's variables): $input's json/path/params/body,
// JSONPath, $util's six functions worded as Java's, Java's methods on strings, lists and maps, null as "".
// The same templates run through deployed APIs over HTTP in integrations-*.test.ts; this file pins the details.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonPath } from "../../../src/services/api-gateway/execute/integrations/jsonpath.js";
import { escapeJavaScript, renderTemplate, urlDecode, urlEncode, BodyNotJson } from "../../../src/services/api-gateway/execute/integrations/vtl.js";

const body = {
  name: 'Zoë "q"',
  items: [
    { id: 1, tags: ["a"] },
    { id: 2, tags: ["b", "c"] },
  ],
  obj: { a: 1, nested: { deep: true } },
};
const vars = (over: Partial<Parameters<typeof renderTemplate>[1]> = {}) => ({
  body: JSON.stringify(body),
  params: { path: { id: "7" }, querystring: { q: "x y", id: "query-id" }, header: { "Content-Type": "application/json", "X-Trace": "t1" } },
  context: { requestId: "req-1", stage: "dev", identity: { apiKey: null, sourceIp: "10.0.0.1" } },
  stageVariables: { env: "dev" },
  ...over,
});
const r = (template: string, over?: Partial<Parameters<typeof renderTemplate>[1]>) => renderTemplate(template, vars(over));

test("JSONPath: definite paths, wildcards, descent, unions, slices, negative indexes", () => {
  assert.deepEqual(jsonPath(body, "$"), body);
  assert.equal(jsonPath(body, "$.obj.nested.deep"), true);
  assert.equal(jsonPath(body, "$['obj']['a']"), 1);
  assert.equal(jsonPath(body, "$.items[1].id"), 2);
  assert.equal(jsonPath(body, "$.items[-1].id"), 2);
  assert.deepEqual(jsonPath(body, "$.items[*].id"), [1, 2]);
  assert.deepEqual(jsonPath(body, "$..tags[0]"), ["a", "b"]);
  assert.deepEqual(jsonPath(body, "$..id"), [1, 2]);
  assert.deepEqual(jsonPath(body, "$.items[0,1].id"), [1, 2]);
  assert.deepEqual(jsonPath(body, "$.items[0:1].id"), [1]);
  assert.equal(jsonPath(body, "$.missing.deeper"), undefined);
  assert.equal(jsonPath(body, "obj.a"), 1, "integration.response.body.<path> has no leading $");
});

test("$input: json() as JSON text, path() as a value to navigate, params() in path → querystring → header order, body", () => {
  assert.equal(r("$input.json('$.items[*].id')"), "[1,2]");
  assert.equal(r("$input.json('$.name')"), '"Zoë \\"q\\""');
  assert.equal(r("$input.path('$.items').size()"), "2");
  assert.equal(r("$input.path('$.obj.nested.deep')"), "true");
  assert.equal(r("$input.path('$.obj')"), "{a=1, nested={deep=true}}", "a map renders as Java's Map.toString");
  assert.equal(r("$input.params('id')"), "7", "a path parameter wins over a query string parameter");
  assert.equal(r("$input.params('q')"), "x y");
  assert.equal(r("$input.params('x-trace')"), "t1");
  assert.equal(r("$input.params('nope')"), "");
  assert.equal(r("#foreach($k in $input.params().keySet())$k#if($foreach.hasNext),#end#end"), "path,querystring,header");
  assert.equal(r("$input.params().querystring.q|$input.params().path.get('id')|$input.params().header.size()"), "x y|7|2");
  assert.equal(
    r("$input.params().header.get('x-trace')|$input.params().header.get('X-TRACE')|[$input.params().querystring.get('Q')]"),
    "t1|t1|[]",
    "header names in any case",
  );
  assert.equal(r("$input.body"), JSON.stringify(body));
  assert.throws(() => r("$input.json('$')", { body: "not json" }), BodyNotJson);
  assert.equal(r("$input.body", { body: "not json" }), "not json", "the raw body needs no parsing");
});

test("$util: escapeJavaScript (Commons Lang), urlEncode/urlDecode (java.net), base64, parseJson", () => {
  assert.equal(escapeJavaScript(`It's "x" \\ / é\n\t`), `It\\'s \\"x\\" \\\\ \\/ \\u00E9\\n\\t`);
  assert.equal(r("$util.escapeJavaScript($input.path('$.name'))"), 'Zo\\u00EB \\"q\\"');
  assert.equal(urlEncode("a b/c~*é"), "a+b%2Fc%7E*%C3%A9");
  assert.equal(urlDecode("a+b%2Fc"), "a b/c");
  assert.equal(r(`$util.urlEncode("a b&c")|$util.urlDecode("x%3Dy+z")`), "a+b%26c|x=y z");
  assert.equal(r(`$util.base64Encode("hello")|$util.base64Decode("aGVsbG8=")`), "aGVsbG8=|hello");
  assert.equal(r(`#set($o = $util.parseJson('{"a":[1,{"b":"c"}]}'))$o.a[1].b $o.a.size()`), "c 2");
});

test("$context and $stageVariables; null and a reference to nothing render as an empty string", () => {
  assert.equal(r("$context.requestId $context.stage $context.identity.sourceIp $stageVariables.env"), "req-1 dev 10.0.0.1 dev");
  assert.equal(r("[$context.identity.apiKey]"), "[]");
  assert.equal(r("[$!nothing] [$nothing] [$context.nothing.deeper] [$stageVariables.none] [$input.path('$').item2]"), "[] [] [] [] []");
});

test("Velocity as AWS runs it: #set, #foreach with $foreach.hasNext, #if/#else, Java methods on strings, lists and maps", () => {
  assert.equal(
    r(`#set($n = $input.path('$.name'))$n.length() $n.contains("q") $n.isEmpty() $n.equals('Zoë "q"') $n.toUpperCase()`),
    '7 true false true ZOË "Q"',
  );
  assert.equal(r(`#set($s = "a,b,,c")$s.split(",").size() $s.replaceAll("[,]+", "-") $s.matches("a.*") $s.matches("b")`), "4 a-b-c true false");
  assert.equal(r(`#set($m = $input.path('$.obj'))$m.containsKey('a') $m.containsKey('z') $m.keySet().size() $m.isEmpty()`), "true false 2 false");
  assert.equal(r(`#set($l = $input.path('$.items'))#foreach($i in $l)$i.id#if($foreach.hasNext),#end#end $l.contains(3) $l.isEmpty()`), "1,2 false false");
  assert.equal(r(`#set($m = {})#set($x = $m.put("k", "v"))$m.k $m.size()`), "v 1");
  assert.equal(
    r(`#foreach($x in $input.path('$.items'))[$foreach.index $foreach.count $foreach.first $foreach.last $foreach.hasNext $velocityCount]#end`),
    "[0 1 true false true 1][1 2 false true false 2]",
  );
  assert.equal(r(`#if($input.path('$.obj.a') == 1)one#{else}other#end #if($input.params('nope') == "")empty#end`), "one empty");
  assert.equal(r(`{#foreach($i in $input.path('$.items'))"$i.id": $i.tags.size()#if($foreach.hasNext), #end#end}`), `{"1": 1, "2": 2}`);
});

// The Serverless Framework's default request template for \`integration: lambda\` (#define, escapeJavaScript with
// replaceAll of its \\', maps walked with keySet/get), as it runs on AWS.
const SERVERLESS_TEMPLATE = `
  #define( $loop )
    {
    #foreach($key in $map.keySet())
        #set( $k = $util.escapeJavaScript($key) )
        #set( $v = $util.escapeJavaScript($map.get($key)).replaceAll("\\\\'", "'") )
        "$k":
          "$v"
          #if( $foreach.hasNext ) , #end
    #end
    }
  #end
  {
    "body": $input.json("$"),
    "method": "$context.httpMethod",
    "principalId": "$context.authorizer.principalId",
    "stage": "$context.stage",
    #set( $map = $input.params().header )
    "headers": $loop,
    #set( $map = $input.params().querystring )
    "query": $loop,
    #set( $map = $input.params().path )
    "path": $loop,
    #set( $map = $stageVariables )
    "stageVariables": $loop
  }`;

test("the Serverless Framework's lambda-integration template renders the JSON it expects", () => {
  const out = renderTemplate(SERVERLESS_TEMPLATE, {
    ...vars(),
    params: { path: { id: "7" }, querystring: { q: "it's" }, header: { "X-Quote": 'say "hi"' } },
    context: { httpMethod: "POST", stage: "dev" },
  });
  assert.deepEqual(JSON.parse(out), {
    body,
    method: "POST",
    principalId: "",
    stage: "dev",
    headers: { "X-Quote": 'say "hi"' },
    query: { q: "it's" },
    path: { id: "7" },
    stageVariables: { env: "dev" },
  });
});
