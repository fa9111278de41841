// The ceiling: a bare node:http server answering every request with a fixed GetCallerIdentity XML body,
// so the benchmark can say how close Stratus comes to what node:http itself can do on this machine.
import { createServer } from "node:http";

const BODY = Buffer.from(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::000000000000:root</Arn>
    <UserId>000000000000</UserId>
    <Account>000000000000</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  // Read the body as a real server must before answering.
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/xml", "content-length": BODY.length, "x-amzn-requestid": "c6104cbe-af31-11e0-8154-cbc7ccf896c7" });
    res.end(BODY);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
