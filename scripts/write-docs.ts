// `npm run docs:config` (and the other docs:* scripts): writes a generated document from its
// table in the sources. test/generated-docs.test.ts checks that the committed files match.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCS } from './generated-docs.js';

const names = process.argv.slice(2);
for (const name of names.length > 0 ? names : Object.keys(GENERATED_DOCS)) {
  const doc = GENERATED_DOCS[name as keyof typeof GENERATED_DOCS];
  if (doc === undefined) {
    process.stderr.write(`unknown document ${name}; known: ${Object.keys(GENERATED_DOCS).join(', ')}\n`);
    process.exit(2);
  }
  writeFileSync(join(import.meta.dirname, '..', doc.path), doc.render());
  process.stdout.write(`wrote ${doc.path}\n`);
}
