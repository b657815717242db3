import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BatonConfig } from '../../config/load-config.js';
import { UserError } from '../../core/errors.js';
import { type SecretSource, secretSource } from '../../governed/handoff/secret-source.js';

const secretsFileSchema = z.record(
  z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'a secret name is an environment variable name'),
  z.union([z.string(), z.object({ value: z.string(), pools: z.array(z.string()).optional() }).strict()]),
);

/**
 * The plane's secret source: `--secrets-file` (JSON; a bare string is a secret for any pool)
 * and `--secret-env NAME` (read from the plane's environment, for any pool). A file that
 * cannot be read or parsed stops `baton serve` with a message that never quotes its content.
 */
export async function planeSecrets(config: BatonConfig): Promise<SecretSource> {
  const secrets: Record<string, { value: string; pools?: string[] }> = {};
  if (config.secretsFile !== undefined) {
    let parsed: z.infer<typeof secretsFileSchema>;
    try {
      parsed = secretsFileSchema.parse(JSON.parse(await readFile(config.secretsFile, 'utf8')));
    } catch {
      throw new UserError(
        'invalid_secrets_file',
        `the secrets file ${config.secretsFile} is not JSON of { "NAME": "value" | { "value": "...", "pools": [...] } }`,
      );
    }
    for (const [name, entry] of Object.entries(parsed)) {
      secrets[name] =
        typeof entry === 'string'
          ? { value: entry }
          : { value: entry.value, ...(entry.pools && { pools: entry.pools }) };
    }
  }
  return secretSource({ secrets, envNames: config.secretEnv, env: config.env });
}
