// The Synthetics runtime versions: which names CreateCanary/UpdateCanary take, which are deprecated (refused for
// new canaries, still run), and the Lambda runtime each one's function runs on here.
// Sources: "Runtime versions support policy" (CloudWatch_Synthetics_Runtime_Support_Policy.html: the deprecation
// table — puppeteer 3.8/3.9 on 2024-01-08, 4.0–6.1 on 2024-03-08, 5.2/6.2/7.0 on 2026-01-22; selenium 1.3/2.0 on
// 2024-03-08, 2.1/3.0 on 2026-01-22, 4.0–5.1 on 2026-02-03) and the per-framework pages (Node.js/Puppeteer up to
// syn-nodejs-puppeteer-15.0, Node.js/Playwright up to syn-nodejs-playwright-5.1, Python/Selenium up to
// syn-python-selenium-14.0). Release dates are not all in those pages: the ones marked `~` are approximate.
import type { RuntimeVersion } from "./api.generated.js";
import { ValidationException } from "./api.generated.js";

export type Framework = "puppeteer" | "playwright" | "selenium";

export interface RuntimeSpec {
  name: string;
  framework: Framework;
  language: "node" | "python";
  /** The Lambda runtime the canary's function is created with. */
  lambdaRuntime: string;
  released: string;
  deprecated?: string;
  description: string;
}

const D = (s: string) => `${s}T00:00:00Z`;
const DEP_2024_01 = D("2024-01-08");
const DEP_2024_03 = D("2024-03-08");
const DEP_2026_01 = D("2026-01-22");
const DEP_2026_02 = D("2026-02-03");

/** [version, release date (~ approximate), deprecation date] per framework. */
const PUPPETEER: [string, string, string?][] = [
  ["3.8", "~2022-09-01", DEP_2024_01],
  ["3.9", "2023-02-22", DEP_2024_01],
  ["4.0", "~2023-03-01", DEP_2024_03],
  ["5.0", "~2023-06-01", DEP_2024_03],
  ["5.1", "~2023-08-01", DEP_2024_03],
  ["5.2", "~2024-03-01", DEP_2026_01],
  ["6.0", "~2023-09-01", DEP_2024_03],
  ["6.1", "~2023-11-01", DEP_2024_03],
  ["6.2", "~2024-03-01", DEP_2026_01],
  ["7.0", "~2024-03-15", DEP_2026_01],
  ["8.0", "~2024-06-01"],
  ["9.0", "~2024-07-01"],
  ["9.1", "2024-10-02"],
  ["10.0", "~2025-03-01"],
  ["11.0", "~2025-08-01"],
  ["12.0", "~2025-11-01"],
  ["13.0", "~2026-02-01"],
  ["13.1", "~2026-04-01"],
  ["14.0", "~2026-07-01"],
  ["15.0", "~2026-10-01"],
];
const PLAYWRIGHT: [string, string, string?][] = [
  ["1.0", "~2024-11-01"],
  ["2.0", "~2025-03-01"],
  ["3.0", "~2025-08-01"],
  ["4.0", "~2026-01-01"],
  ["5.0", "~2026-06-01"],
  ["5.1", "~2026-10-01"],
];
const SELENIUM: [string, string, string?][] = [
  ["1.3", "~2022-09-01", DEP_2024_03],
  ["2.0", "~2023-03-01", DEP_2024_03],
  ["2.1", "~2023-09-01", DEP_2026_01],
  ["3.0", "~2024-03-01", DEP_2026_01],
  ["4.0", "~2024-09-01", DEP_2026_02],
  ["4.1", "~2024-11-01", DEP_2026_02],
  ["5.0", "~2025-01-01", DEP_2026_02],
  ["5.1", "~2025-03-01", DEP_2026_02],
  ["6.0", "~2025-05-01"],
  ["7.0", "~2025-08-01"],
  ["8.0", "~2025-12-01"],
  ["9.0", "~2026-02-01"],
  ["10.0", "~2026-04-01"],
  ["11.0", "~2026-06-01"],
  ["11.1", "~2026-07-01"],
  ["12.0", "~2026-09-01"],
  ["13.0", "~2026-10-01"],
  ["14.0", "~2026-11-01"],
];

const major = (v: string) => Number(v.split(".")[0]);

function specs(): RuntimeSpec[] {
  const out: RuntimeSpec[] = [];
  const add = (framework: Framework, list: [string, string, string?][]) => {
    for (const [v, rel, dep] of list) {
      const language = framework === "selenium" ? "python" : "node";
      const lambdaRuntime =
        framework === "selenium"
          ? major(v) >= 11
            ? "python3.12"
            : major(v) >= 6
              ? "python3.11"
              : "python3.9"
          : (framework === "puppeteer" ? major(v) >= 13 : major(v) >= 4)
            ? "nodejs22.x"
            : "nodejs20.x";
      const name = framework === "selenium" ? `syn-python-selenium-${v}` : `syn-nodejs-${framework}-${v}`;
      out.push({
        name,
        framework,
        language,
        lambdaRuntime,
        released: D(rel.replace("~", "")),
        ...(dep ? { deprecated: dep } : {}),
        description: `Stratus runs ${name} canaries on ${lambdaRuntime} with its Synthetics library (runtimes/synthetics); browser steps need a local Chromium.`,
      });
    }
  };
  add("puppeteer", PUPPETEER);
  add("playwright", PLAYWRIGHT);
  add("selenium", SELENIUM);
  return out;
}

export const RUNTIMES: RuntimeSpec[] = specs();
const BY_NAME = new Map(RUNTIMES.map((r) => [r.name, r]));

export const runtimeSpec = (name: string): RuntimeSpec | undefined => BY_NAME.get(name);

/** DescribeRuntimeVersions' entries, by name (the order its pages follow). */
export function runtimeVersionList(): RuntimeVersion[] {
  return RUNTIMES.map((r) => ({
    VersionName: r.name,
    Description: r.description,
    ReleaseDate: new Date(r.released),
    ...(r.deprecated ? { DeprecationDate: new Date(r.deprecated) } : {}),
  })).sort((a, b) => (a.VersionName! < b.VersionName! ? -1 : 1));
}

/**
 * The runtime a new canary (or an update) may use: an unknown name and a deprecated one are refused.
 * Wording unverified (no recorded AWS response found).
 */
export function checkRuntimeForCreate(name: string, now: number): RuntimeSpec {
  const spec = runtimeSpec(name);
  if (!spec) throw new ValidationException(`Invalid runtime version: ${name}`); // unverified wording
  if (spec.deprecated && Date.parse(spec.deprecated) <= now) {
    throw new ValidationException(`Runtime version ${name} is deprecated and can no longer be used to create or update canaries.`); // unverified wording
  }
  return spec;
}
