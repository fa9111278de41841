// S3's integer query parameters read as S3 reads them, before the generic codec parses them: ListParts' max-parts and
// part-number-marker. An empty value is as if absent (AWS-recorded: LocalStack's test_s3_list_operations.snapshot.json,
// test_list_parts_empty_part_number_marker); a negative one, or one that is no integer at all or past 2^31-1, is S3's
// InvalidArgument naming the argument (wording as moto's tests give AWS's: tests/test_s3/test_s3_multipart.py,
// test_multipart_list_parts_invalid_argument; the negative max-parts one also as AWS answered a proxy in
// versity/versitygw#329). For a value that is not a number at all the wording is unverified.
import { ServiceError } from "../../../core/errors.js";
import type { Exchange } from "../../../core/exchange.js";

const INTEGER_PARAMS = new Set(["max-parts", "part-number-marker"]);
const INT_MAX = 2147483647;

const argument = (message: string, name: string, value: string) =>
  new ServiceError("InvalidArgument", message, 400, { fields: { ArgumentName: name, ArgumentValue: value } });

export function s3IntegerQuery(x: Exchange): void {
  const query = x.req.query;
  if (!query || !/(?:^|&)(?:max-parts|part-number-marker)=/.test(query)) return;
  const kept: string[] = [];
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!INTEGER_PARAMS.has(name) || eq < 0) {
      kept.push(pair);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
    } catch {
      value = pair.slice(eq + 1);
    }
    if (value === "") continue;
    if (/^-\d+$/.test(value) && Number(value) >= -INT_MAX - 1) throw argument(`Argument ${name} must be an integer between 0 and ${INT_MAX}`, name, value);
    if (!/^\+?\d+$/.test(value) || Number(value) > INT_MAX) throw argument(`Provided ${name} not an integer or within integer range`, name, value);
    kept.push(pair);
  }
  x.req.query = kept.join("&");
  if (x.req.cache) delete x.req.cache.restQuery;
}
