import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** The first `language` code block of a repository markdown file after its `<!-- marker ... -->` comment. */
export function markdownBlock(file: string, marker: string, language: 'sh' | 'ts'): string {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const start = text.indexOf(`<!-- ${marker}`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(text.slice(start));
  if (start < 0 || block?.[1] === undefined)
    throw new Error(`${file} has no ${language} block after ${marker}`);
  return block[1];
}

/** The first `language` code block of the README after its `<!-- marker ... -->` comment. */
export function readmeBlock(marker: string, language: 'sh' | 'ts'): string {
  return markdownBlock('README.md', marker, language);
}
