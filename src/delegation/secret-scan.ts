/**
 * The secrets a patch may not add. A small, documented set (docs/delegation.md): findings name
 * the pattern, file and line, never the matched text, so a finding is safe to log.
 */
export const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { name: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: 'openai-or-anthropic-key', pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/ },
  { name: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { name: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  {
    name: 'assigned-secret',
    pattern:
      /(?:api[_-]?key|secret|password|passwd|access[_-]?token|auth[_-]?token)["']?\s*[:=]\s*["'][^"'\s]{8,}["']/i,
  },
];

/** One secret found in an added line. */
export interface SecretFinding {
  pattern: string;
  file: string;
  line: number;
}

/** Scans added lines for secrets. */
export function findSecrets(lines: readonly { file: string; line: number; text: string }[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const added of lines) {
    for (const { name, pattern } of SECRET_PATTERNS) {
      if (pattern.test(added.text)) findings.push({ pattern: name, file: added.file, line: added.line });
    }
  }
  return findings;
}
