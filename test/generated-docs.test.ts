import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS } from '../scripts/generated-docs.js';
import { REPO_ROOT } from './helpers/cli.js';

// Documents generated from a table in the sources must match it: regenerate with `npm run docs`.
describe('generated documents', () => {
  for (const [name, doc] of Object.entries(GENERATED_DOCS)) {
    it(`${doc.path} is what \`npm run docs:${name}\` writes`, () => {
      expect(readFileSync(join(REPO_ROOT, doc.path), 'utf8')).toBe(doc.render());
    });
  }
});
