// ARNs: arn:<partition>:<service>:<region>:<account>:<resource>, the resource keeping any further colons.
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const p = arn.split(":");
  if (p.length < 6 || p[0] !== "arn" || !p[1] || !p[2]) return undefined;
  return { partition: p[1], service: p[2], region: p[3]!, account: p[4]!, resource: p.slice(5).join(":") };
}
