// Event selectors: which calls a trail records. Basic selectors (ReadWriteType, IncludeManagementEvents,
// DataResources, ExcludeManagementEventSources) and advanced ones (field selectors ANDed within a selector, selectors
// ORed), as https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html and
// API_EventSelector.html describe them; validated with InvalidEventSelectorsException.
import {
  InvalidEventSelectorsException,
  InvalidParameterCombinationException,
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type EventSelector,
} from "./api.generated.js";
import type { DataResourceRef } from "./record.js";

/** What a selector looks at in one call. */
export interface EventFacts {
  category: "Management" | "Data";
  readOnly: boolean;
  eventSource: string;
  eventName: string;
  eventType: string;
  errorCode?: string;
  userArn?: string;
  resources: DataResourceRef[];
}

/**
 * A trail's selectors compiled to one test; `everyManagement` when they take every management event whatever its
 * facts (the default selector, or one made of eventCategory = Management alone), so a caller can skip building them.
 */
export type Selects = ((e: EventFacts) => boolean) & { readonly everyManagement?: boolean };

const DEFAULT: EventSelector[] = [{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];

export function defaultSelectors(): EventSelector[] {
  return structuredClone(DEFAULT);
}

export function compileSelectors(basic: EventSelector[] | undefined, advanced: AdvancedEventSelector[] | undefined): Selects {
  if (advanced?.length) {
    const tests = advanced.map(compileAdvanced);
    const everyManagement = advanced.some(
      (s) => s.FieldSelectors.length === 1 && s.FieldSelectors[0].Field === "eventCategory" && s.FieldSelectors[0].Equals?.[0] === "Management",
    );
    return Object.assign((e: EventFacts) => tests.some((t) => t(e)), { everyManagement });
  }
  const list = basic ?? DEFAULT;
  const tests = list.map(compileBasic);
  const everyManagement = list.some(
    (s) =>
      readWriteMatches(s.ReadWriteType, true) &&
      readWriteMatches(s.ReadWriteType, false) &&
      s.IncludeManagementEvents !== false &&
      !s.ExcludeManagementEventSources?.length,
  );
  return Object.assign((e: EventFacts) => tests.some((t) => t(e)), { everyManagement });
}

function readWriteMatches(type: string | undefined, readOnly: boolean): boolean {
  return type === undefined || type === "All" || (type === "ReadOnly") === readOnly;
}

function compileBasic(s: EventSelector): Selects {
  const excluded = new Set(s.ExcludeManagementEventSources ?? []);
  const data = s.DataResources ?? [];
  return (e) => {
    if (!readWriteMatches(s.ReadWriteType, e.readOnly)) return false;
    if (e.category === "Management") return s.IncludeManagementEvents !== false && !excluded.has(e.eventSource);
    return data.some((d) => (d.Values ?? []).some((v) => e.resources.some((r) => dataValueMatches(d.Type, v, r))));
  };
}

// A DataResources value names every resource of its type ("arn:aws:s3", "arn:aws:s3:::", "arn:aws:lambda"), a bucket
// ("arn:aws:s3:::bucket/"), an object prefix, or one function.
function dataValueMatches(type: string | undefined, value: string, r: DataResourceRef): boolean {
  if (type !== r.type) return false;
  if (type === "AWS::S3::Object") return value === "arn:aws:s3" || /^arn:[\w-]+:s3:::$/.test(value) || r.ARN.startsWith(value);
  if (type === "AWS::Lambda::Function") return value === "arn:aws:lambda" || /^arn:[\w-]+:lambda$/.test(value) || r.ARN === value;
  return r.ARN === value;
}

function factValues(f: string, e: EventFacts): string[] {
  switch (f) {
    case "eventCategory":
      return [e.category];
    case "readOnly":
      return [String(e.readOnly)];
    case "eventSource":
      return [e.eventSource];
    case "eventName":
      return [e.eventName];
    case "eventType":
      return [e.eventType];
    case "errorCode":
      return e.errorCode ? [e.errorCode] : [];
    case "userIdentity.arn":
      return e.userArn ? [e.userArn] : [];
    case "resources.type":
      return e.resources.map((r) => r.type);
    case "resources.ARN":
      return e.resources.map((r) => r.ARN);
    default:
      return [];
  }
}

function compileField(fs: AdvancedFieldSelector): Selects {
  return (e) => {
    const values = factValues(fs.Field, e);
    const positive = fs.Equals || fs.StartsWith || fs.EndsWith;
    const one = (v: string) =>
      (!positive || fs.Equals?.includes(v) || fs.StartsWith?.some((p) => v.startsWith(p)) || fs.EndsWith?.some((p) => v.endsWith(p))) &&
      !fs.NotEquals?.includes(v) &&
      !fs.NotStartsWith?.some((p) => v.startsWith(p)) &&
      !fs.NotEndsWith?.some((p) => v.endsWith(p));
    // A field with no value (no resources on a management event) matches only selectors made of negations.
    if (!values.length) return !positive;
    return values.some(one);
  };
}

function compileAdvanced(s: AdvancedEventSelector): Selects {
  const fields = s.FieldSelectors.map(compileField);
  return (e) => fields.every((t) => t(e));
}

// ---- validation ----

const FIELDS = new Set([
  "eventCategory",
  "eventSource",
  "eventName",
  "eventType",
  "readOnly",
  "resources.type",
  "resources.ARN",
  "errorCode",
  "userIdentity.arn",
  "sessionCredentialFromConsole",
  "vpcEndpointId",
]);
const DATA_TYPES = new Set(["AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table"]);
const MAX_SELECTORS = 5;
const MAX_DATA_VALUES = 250;

const invalid = (m: string) => new InvalidEventSelectorsException(m);

export function validateSelectors(basic: EventSelector[] | undefined, advanced: AdvancedEventSelector[] | undefined): void {
  // Both at once: InvalidParameterCombinationException (API_PutEventSelectors, "Errors").
  if (basic && advanced) {
    throw new InvalidParameterCombinationException("You cannot specify both EventSelectors and AdvancedEventSelectors in a PutEventSelectors request."); // unverified wording
  }
  if (!basic && !advanced) throw invalid("Either EventSelectors or AdvancedEventSelectors must be specified."); // unverified wording
  if (basic) validateBasic(basic);
  if (advanced) validateAdvanced(advanced);
}

function validateBasic(list: EventSelector[]): void {
  if (list.length > MAX_SELECTORS) throw invalid(`You can specify up to ${MAX_SELECTORS} event selectors per trail.`); // unverified wording
  let values = 0;
  for (const s of list) {
    for (const d of s.DataResources ?? []) {
      if (!d.Type || !DATA_TYPES.has(d.Type)) throw invalid(`Value ${d.Type} for DataResources.Type is invalid.`); // unverified wording
      for (const v of d.Values ?? []) {
        values++;
        const ok =
          d.Type === "AWS::S3::Object"
            ? v === "arn:aws:s3" || /^arn:[\w-]+:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)?$/.test(v)
            : d.Type === "AWS::Lambda::Function"
              ? v === "arn:aws:lambda" || /^arn:[\w-]+:lambda(:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?)?$/.test(v)
              : /^arn:[\w-]+:dynamodb/.test(v);
        if (!ok) throw invalid(`Value ${v} for DataResources.Values is invalid.`); // unverified wording
      }
    }
  }
  if (values > MAX_DATA_VALUES) throw invalid(`You can specify up to ${MAX_DATA_VALUES} data resources per trail.`); // unverified wording
}

function validateAdvanced(list: AdvancedEventSelector[]): void {
  if (list.length > 500) throw invalid("You can specify up to 500 advanced event selectors per trail."); // unverified wording
  for (const s of list) {
    let category: string | undefined;
    for (const f of s.FieldSelectors) {
      if (!FIELDS.has(f.Field)) throw invalid(`Invalid selector field: ${f.Field}.`); // unverified wording
      const ops = [f.Equals, f.StartsWith, f.EndsWith, f.NotEquals, f.NotStartsWith, f.NotEndsWith].filter((o) => o !== undefined);
      if (!ops.length) throw invalid(`At least one operator must be specified for field ${f.Field}.`); // unverified wording
      if (f.Field === "eventCategory") {
        if (!f.Equals || f.Equals.length !== 1) throw invalid("eventCategory must have exactly one Equals value."); // unverified wording
        category = f.Equals[0];
        if (!["Management", "Data", "NetworkActivity"].includes(category)) throw invalid(`Invalid value for eventCategory: ${category}.`); // unverified wording
      }
      if (f.Field === "readOnly" && [...(f.Equals ?? []), ...(f.NotEquals ?? [])].some((v) => v !== "true" && v !== "false")) {
        throw invalid("readOnly field can only have value true or false."); // unverified wording
      }
    }
    if (!category) throw invalid("eventCategory is a required field for advanced event selectors."); // unverified wording
    if (category === "Data" && !s.FieldSelectors.some((f) => f.Field === "resources.type")) {
      throw invalid("resources.type must be specified for Data event category."); // unverified wording
    }
  }
}
