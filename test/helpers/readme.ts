import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** The first `language` code block of the README after its `<!-- marker ... -->` comment. */
export function readmeBlock(marker: string, language: 'sh' | 'ts'): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`<!-- ${marker}`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(start));
  if (start < 0 || block?.[1] === undefined)
    throw new Error(`README has no ${language} block after ${marker}`);
  return block[1];
}
