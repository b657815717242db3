import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './cli.js';

/** One exported name of an entry point: whether it exists at run time, and its JSDoc. */
export interface PublicExport {
  name: string;
  kind: 'value' | 'type';
  documented: boolean;
}

/** The package's entry points, `exports` key to the source file that builds into its target. */
export function packageEntryPoints(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default: string }>;
  };
  const entries = new Map<string, string>();
  for (const [key, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const source = target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
    entries.set(key, join(REPO_ROOT, source));
  }
  return entries;
}

/** Every name each source file exports, read with the TypeScript checker (types included). */
export function exportsOf(files: readonly string[]): Map<string, PublicExport[]> {
  const program = ts.createProgram([...files], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, PublicExport[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot read the exports of ${file}`);
    result.set(
      file,
      checker.getExportsOfModule(moduleSymbol).map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return {
          name: symbol.name,
          kind: target.flags & ts.SymbolFlags.Value ? 'value' : 'type',
          documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '',
        };
      }),
    );
  }
  return result;
}
