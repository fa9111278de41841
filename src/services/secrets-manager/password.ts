// GetRandomPassword: a password from crypto.randomInt over the included character classes, with at least one
// of each included class when RequireEachIncludedType (the default).
import { randomInt } from "node:crypto";
import type { SecretsManagerApi } from "./api.generated.js";
import { InvalidParameterException } from "./api.generated.js";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
// AWS's punctuation set: the printable ASCII symbols.
const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export const password = {
  getRandomPassword(input) {
    const length = input.PasswordLength ?? 32;
    const exclude = new Set(input.ExcludeCharacters ?? "");
    const keep = (chars: string) => [...chars].filter((c) => !exclude.has(c)).join("");
    const classes = [
      input.ExcludeUppercase ? "" : keep(UPPER),
      input.ExcludeLowercase ? "" : keep(LOWER),
      input.ExcludeNumbers ? "" : keep(DIGITS),
      input.ExcludePunctuation ? "" : keep(PUNCTUATION),
    ].filter(Boolean);
    const space = input.IncludeSpace && !exclude.has(" ") ? " " : "";
    const all = classes.join("") + space;
    if (!all) throw new InvalidParameterException("The password can't be generated because all characters are excluded.");
    const require = input.RequireEachIncludedType ?? true;
    if (require && length < classes.length) throw new InvalidParameterException("Password length is too short based on the required types.");
    const out: string[] = require ? classes.map((c) => c[randomInt(c.length)]) : [];
    while (out.length < length) out.push(all[randomInt(all.length)]);
    // Shuffle so the guaranteed characters are not always first.
    for (let i = out.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return { RandomPassword: out.join("") };
  },
} satisfies Partial<SecretsManagerApi>;
