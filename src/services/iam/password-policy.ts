// The account password policy (Update/Get/DeleteAccountPasswordPolicy) and its enforcement on console passwords
// (CreateLoginProfile, UpdateLoginProfile, ChangePassword).
// AWS-recorded shapes and messages: LocalStack's tests/aws/services/iam/test_iam_account_password_policy.snapshot.json
// (recorded 2026-02-13): an update without parameters reads back MinimumPasswordLength 6 and every flag false;
// MaxPasswordAge, PasswordReusePrevention and HardExpiry appear only once set; ExpirePasswords follows MaxPasswordAge;
// GetAccountPasswordPolicy without a policy is NoSuchEntity "The Password Policy with domain name <account> cannot be
// found.", DeleteAccountPasswordPolicy without one "The account policy with name PasswordPolicy cannot be found.".
// Every UpdateAccountPasswordPolicy replaces the whole policy: a parameter left out reverts to its default
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html).
import type { HandlerContext } from "../../core/context.js";
import type { IamApi, PasswordPolicy } from "./api.generated.js";
import { NoSuchEntityException, PasswordPolicyViolationException } from "./api.generated.js";
import { type PasswordPolicyRec, tables } from "./state.js";

const KEY = "PasswordPolicy";

export const passwordPolicyOf = (ctx: HandlerContext): PasswordPolicyRec | undefined => tables(ctx).passwordPolicy.get(KEY);

// IAM's symbol set for passwords (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
const SYMBOLS = /[!@#$%^&*()_+\-=[\]{}|']/;

/**
 * PasswordPolicyViolation when the account has a password policy and `password` breaks it. Without a custom policy
 * Stratus enforces nothing (AWS's console applies a default policy of its own; the API here does not). The messages
 * are AWS's as commonly reported, not found in recorded public material: unverified.
 */
export function checkPassword(ctx: HandlerContext, password: string): void {
  const p = passwordPolicyOf(ctx);
  if (!p) return;
  const fail = (m: string) => new PasswordPolicyViolationException(m);
  if (password.length < p.minimumPasswordLength) throw fail(`Password should have a minimum length of ${p.minimumPasswordLength}`);
  if (p.requireLowercase && !/[a-z]/.test(password)) throw fail("Password should have at least one lowercase letter");
  if (p.requireUppercase && !/[A-Z]/.test(password)) throw fail("Password should have at least one uppercase letter");
  if (p.requireNumbers && !/[0-9]/.test(password)) throw fail("Password should have at least one number");
  if (p.requireSymbols && !SYMBOLS.test(password)) throw fail("Password should have at least one symbol");
}

const out = (p: PasswordPolicyRec): PasswordPolicy => ({
  MinimumPasswordLength: p.minimumPasswordLength,
  RequireSymbols: p.requireSymbols,
  RequireNumbers: p.requireNumbers,
  RequireUppercaseCharacters: p.requireUppercase,
  RequireLowercaseCharacters: p.requireLowercase,
  AllowUsersToChangePassword: p.allowUsersToChangePassword,
  ExpirePasswords: p.maxPasswordAge !== undefined,
  ...(p.maxPasswordAge !== undefined ? { MaxPasswordAge: p.maxPasswordAge } : {}),
  ...(p.passwordReusePrevention !== undefined ? { PasswordReusePrevention: p.passwordReusePrevention } : {}),
  ...(p.hardExpiry !== undefined ? { HardExpiry: p.hardExpiry } : {}),
});

export const passwordPolicy = {
  updateAccountPasswordPolicy(input, ctx) {
    const rec: PasswordPolicyRec = {
      minimumPasswordLength: input.MinimumPasswordLength ?? 6,
      requireSymbols: input.RequireSymbols ?? false,
      requireNumbers: input.RequireNumbers ?? false,
      requireUppercase: input.RequireUppercaseCharacters ?? false,
      requireLowercase: input.RequireLowercaseCharacters ?? false,
      allowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
      maxPasswordAge: input.MaxPasswordAge,
      passwordReusePrevention: input.PasswordReusePrevention,
      hardExpiry: input.HardExpiry,
    };
    tables(ctx).passwordPolicy.put(KEY, rec);
    return {};
  },

  getAccountPasswordPolicy(_input, ctx) {
    const p = passwordPolicyOf(ctx);
    if (!p) throw new NoSuchEntityException(`The Password Policy with domain name ${ctx.account} cannot be found.`);
    return { PasswordPolicy: out(p) };
  },

  deleteAccountPasswordPolicy(_input, ctx) {
    if (!tables(ctx).passwordPolicy.delete(KEY)) throw new NoSuchEntityException("The account policy with name PasswordPolicy cannot be found.");
    return {};
  },
} satisfies Partial<IamApi>;
