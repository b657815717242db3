import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module `entry` loads at run time (type-only imports are erased, so they do not count). */
function runtimeImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export) (?!type )[^;]*?from '([^']+)';/gms)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else seen.add(specifier);
    }
  };
  visit(entry);
  return seen;
}

describe('baton-runtime/client', () => {
  it('loads only fetch-based client code and core errors, nothing from the server or Node', () => {
    const loaded = [...runtimeImports(join(SRC, 'client', 'index.ts'))].map((file) =>
      file.startsWith('/') ? relative(SRC, file) : file,
    );
    expect(loaded.filter((file) => !file.startsWith('client/'))).toEqual(['core/errors.ts']);
  });
});
