// A JSON token reader for event patterns that fails, and reports where it stands, the way EventBridge's does.
// EventBridge checks a pattern with event-ruler (github.com/aws/event-ruler, JsonRuleCompiler), which reads it
// token by token with Jackson's streaming parser and words every refusal as a Jackson JsonParseException: the
// reason, then `\n at [Source: (String)"<pattern>"; line: L, column: C]` where C is where the parser stood when
// event-ruler gave up. Where it stood depends on Jackson's reading habits, reproduced here:
// - after a field name, the name's colon and the value's first token are read too: a number or literal whole,
//   `{`/`[` themselves, a string only its opening quote (its text is read when asked for);
// - a string token's text is read on demand (`text()`), which moves past its closing quote;
// - columns count UTF-16 units from 1 and lines start after `\n` (or a lone `\r`).
// Recorded examples (LocalStack's AWS-validated snapshots, tests/aws/services/events/test_events_patterns.snapshot.json):
// `{"int": 42}` fails at column 11 (after the number), `{"string": "my-value"}` at 13 (after the opening quote),
// `{"my_key": [{"EXISTS": true}]}` at 28 (after `true`, read with the field name); an unexpected character is
// reported at its own column (`{'bad': 'quotation'}`: column 2), an unrecognized word after it (`this is…`: 5).

export type TokenKind = "{" | "}" | "[" | "]" | "field" | "string" | "number" | "true" | "false" | "null" | "eof";

/** A refusal worded as event-ruler words it; `located` when Jackson would have added the position suffix. */
export class PatternSyntaxError extends Error {}

/** Jackson's ContentReference shows at most 500 characters of the source. // unverified wording (truncation) */
const MAX_SOURCE = 500;

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** Java's Character.isJavaIdentifierPart, near enough for the token Jackson quotes in "Unrecognized token". */
const isIdentPart = (ch: string) => /[\p{L}\p{Nd}_$\p{Mn}\p{Mc}\p{Pc}]/u.test(ch);

interface Frame {
  object: boolean;
  /** Whether a value (object) or element (array) has been read, so the next needs a comma first. */
  started: boolean;
}

export class JsonCursor {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly stack: Frame[] = [];
  /** The value token read with a field name, returned by the next `next()`. */
  private pending: TokenKind | undefined;
  /** A string token whose text has not been read: its content span. */
  private openString: { start: number; end: number } | undefined;
  private stringValue = "";
  private name = "";
  private numberText = "";
  kind: TokenKind = "eof";

  constructor(readonly source: string) {}

  /** Text of the current token: a string's value (read now), a number as written, a field's name, a literal. */
  text(): string {
    switch (this.kind) {
      case "string":
        this.finishString();
        return this.stringValue;
      case "field":
        return this.name;
      case "number":
        return this.numberText;
      default:
        return this.kind;
    }
  }

  /** Where the reader stands, as Jackson's location suffix. */
  location(): string {
    const src = this.source;
    const shown = src.length > MAX_SOURCE ? `"${src.slice(0, MAX_SOURCE)}"[truncated ${src.length - MAX_SOURCE} chars]` : `"${src}"`;
    return `\n at [Source: (String)${shown}; line: ${this.line}, column: ${this.pos - this.lineStart + 1}]`;
  }

  /** A refusal at the current position, worded `message` plus the location. */
  fail(message: string): never {
    throw new PatternSyntaxError(message + this.location());
  }

  next(): TokenKind {
    if (this.pending) {
      this.kind = this.pending;
      this.pending = undefined;
      return this.kind;
    }
    if (this.openString) this.finishString();
    const top = this.stack[this.stack.length - 1];
    let c = this.skipWs();
    if (!top) {
      if (c < 0) return (this.kind = "eof");
      return (this.kind = this.value(c));
    }
    const close = top.object ? 0x7d : 0x5d;
    if (c === close) {
      this.pos++;
      this.stack.pop();
      return (this.kind = top.object ? "}" : "]");
    }
    if (c === 0x7d || c === 0x5d) {
      this.pos++;
      this.mismatch(c, top);
    }
    if (top.started) {
      if (c !== 0x2c) {
        if (c < 0) this.endOfInput(top);
        this.fail(`${unexpected(c)}: was expecting comma to separate ${top.object ? "Object" : "Array"} entries`);
      }
      this.pos++;
      c = this.skipWs();
    }
    top.started = true;
    if (!top.object) {
      if (c < 0) this.endOfInput(top);
      return (this.kind = this.value(c));
    }
    // A field name, its colon, then the value's first token (Jackson reads ahead this far).
    if (c !== 0x22) {
      if (c < 0) this.endOfInput(top);
      this.fail(`${unexpected(c)}: was expecting double-quote to start field name`);
    }
    this.pos++;
    this.name = this.readString("in field name");
    c = this.skipWs();
    if (c !== 0x3a) {
      if (c < 0) this.fail(`Unexpected end-of-input: was expecting a colon to separate field name and value`); // unverified wording
      this.fail(`${unexpected(c)}: was expecting a colon to separate field name and value`);
    }
    this.pos++;
    c = this.skipWs();
    if (c < 0) this.fail(`Unexpected end-of-input: expected a value`); // unverified wording
    this.pending = this.value(c);
    return (this.kind = "field");
  }

  /** Skips the current value: an object or array as a whole. */
  skipValue(): void {
    if (this.kind !== "{" && this.kind !== "[") return;
    const depth = this.stack.length;
    while (this.stack.length >= depth) this.next();
  }

  private skipWs(): number {
    const s = this.source;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (!isWs(c)) return c;
      this.pos++;
      if (c === 0x0a || (c === 0x0d && s.charCodeAt(this.pos) !== 0x0a)) {
        this.line++;
        this.lineStart = this.pos;
      }
    }
    return -1;
  }

  private value(c: number): TokenKind {
    const s = this.source;
    switch (c) {
      case 0x7b:
        this.pos++;
        this.stack.push({ object: true, started: false });
        return "{";
      case 0x5b:
        this.pos++;
        this.stack.push({ object: false, started: false });
        return "[";
      case 0x22: {
        this.pos++;
        const start = this.pos;
        this.openString = { start, end: start };
        return "string";
      }
    }
    if (c === 0x2d || isDigit(c)) return this.number();
    for (const lit of ["true", "false", "null"] as const)
      if (s.startsWith(lit, this.pos) && !isIdentPart(s[this.pos + lit.length] ?? " ")) {
        this.pos += lit.length;
        return lit;
      }
    if (c === 0x5d || c === 0x7d || c === 0x2c) {
      this.fail(`${unexpected(c)}: expected a value`); // unverified wording
    }
    if (isIdentPart(s[this.pos])) {
      let end = this.pos;
      while (end < s.length && end - this.pos < 256 && isIdentPart(s[end])) end++;
      const token = s.slice(this.pos, end);
      this.pos = end;
      this.fail(`Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
    }
    return this.fail(`${unexpected(c)}: expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
  }

  private number(): TokenKind {
    const s = this.source;
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(this.pos, this.pos + 400));
    if (!m || m[0] === "-") {
      this.pos += 1;
      this.fail(`Invalid numeric value: Missing integer part`); // unverified wording
    }
    const text = (m as RegExpExecArray)[0];
    if (/^-?0\d/.test(s.slice(this.pos, this.pos + text.length + 1))) {
      this.pos += text.length;
      this.fail("Invalid numeric value: Leading zeroes not allowed"); // unverified wording
    }
    this.pos += text.length;
    this.numberText = text;
    return "number";
  }

  private finishString(): void {
    const open = this.openString;
    if (!open) return;
    this.openString = undefined;
    this.pos = open.start;
    this.stringValue = this.readString("for a string value");
  }

  /** Reads a string's content from `pos` (after its opening quote) through its closing quote. */
  private readString(where: string): string {
    const s = this.source;
    let out = "";
    let from = this.pos;
    for (;;) {
      if (this.pos >= s.length)
        this.fail(`Unexpected end-of-input ${where === "in field name" ? "in field name" : "was expecting closing quote for a string value"}`);
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += s.slice(from, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) {
        this.pos++;
        this.fail(
          `Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in ${where === "in field name" ? "name" : "string value"}`,
        );
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += s.slice(from, this.pos);
      const e = s[this.pos + 1];
      this.pos += 2;
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(s.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(Number.parseInt(s.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else if (e === undefined)
        this.fail(`Unexpected end-of-input in character escape sequence`); // unverified wording
      else this.fail(`Unrecognized character escape ${quoteChar(e.charCodeAt(0))}`);
      from = this.pos;
    }
  }

  private mismatch(c: number, top: Frame): never {
    return this.fail(`Unexpected close marker '${String.fromCharCode(c)}': expected '${top.object ? "}" : "]"}'`); // unverified wording
  }

  private endOfInput(top: Frame): never {
    return this.fail(`Unexpected end-of-input: expected close marker for ${top.object ? "Object" : "Array"}`); // unverified wording
  }
}

function quoteChar(c: number): string {
  return `'${String.fromCharCode(c)}' (code ${c})`;
}

function unexpected(c: number): string {
  return `Unexpected character (${quoteChar(c)})`;
}
