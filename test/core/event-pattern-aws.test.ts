// EventBridge's answers to TestEventPattern, recorded against AWS: each case of event-pattern-aws-cases.json is
// one of LocalStack's AWS-validated templates (github.com/localstack/localstack,
// tests/aws/services/events/event_pattern_templates/<name>.json5, sent as Python's json.dumps writes them) with the
// outcome its snapshot recorded (test_events_patterns.snapshot.json): a match, no match (`_NEG`), or the
// InvalidEventPatternException's reason (`_EXC`, after "Event pattern is not valid. Reason: "), position suffix
// included. The snapshot's `<partition>`/`<region>` placeholders are the template's own `aws`/`us-east-1`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseEventPattern } from "../../src/core/event-pattern.js";

interface Case {
  name: string;
  pattern: string;
  event: string;
  match?: boolean;
  error?: string;
}

const { cases } = JSON.parse(readFileSync(new URL("./event-pattern-aws-cases.json", import.meta.url), "utf8")) as { cases: Case[] };

/** EventBridge's message for a refused pattern. */
class InvalidEventPattern extends Error {}
const eventBridge = (pattern: string) => parseEventPattern(pattern, {}, (reason) => new InvalidEventPattern(`Event pattern is not valid. Reason: ${reason}`));

test("the recorded cases are all here", () => assert.ok(cases.length >= 160));

for (const c of cases)
  test(`AWS-recorded: ${c.name}`, () => {
    if (c.error !== undefined) {
      assert.throws(
        () => eventBridge(c.pattern),
        (e: Error) => {
          assert.ok(e instanceof InvalidEventPattern);
          assert.equal(e.message, `Event pattern is not valid. Reason: ${c.error}`);
          return true;
        },
      );
      return;
    }
    assert.equal(eventBridge(c.pattern).matches(JSON.parse(c.event)), c.match, `${c.pattern} against ${c.event}`);
  });
