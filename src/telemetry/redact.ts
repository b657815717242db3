/** What replaces a secret in logs and span attributes. */
export const REDACTED = '[redacted]';

/**
 * Field names whose values are secrets whatever they hold (`Authorization`, `apiKey`,
 * `x-api-key`, `password`...; the `Baton-Lease` and `Idempotency-Key` headers, which together
 * would replay a runner's claim, lease token included).
 */
const SECRET_KEY =
  /authorization|token|secret|password|passwd|api[-_]?key|private[-_]?key|cookie|credential|baton-lease|idempotency-key/i;

/**
 * Secret-looking substrings of free text: bearer/basic credentials, provider API keys
 * (`sk-...`, `sk-ant-...`), GitHub tokens, AWS access keys.
 */
const SECRET_TEXT = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

/** `text` with every secret-looking substring replaced by {@link REDACTED}. */
export function redactText(text: string): string {
  let redacted = text;
  for (const pattern of SECRET_TEXT) redacted = redacted.replace(pattern, REDACTED);
  return redacted;
}

/**
 * A copy of `value` safe to log or export: fields named like secrets are replaced whole, and
 * secret-looking substrings of every string are replaced. Cycles and depth are bounded.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] =
      SECRET_KEY.test(key) && field !== null && field !== undefined ? REDACTED : redact(field, depth + 1);
  }
  return copy;
}
