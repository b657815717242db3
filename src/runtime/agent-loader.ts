import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent } from '../core/agent.js';
import { isInstructions, withSkills } from '../core/agent.js';
import { errorMessage, UserError } from '../core/errors.js';
import { loadSkillsDir, resolveSkills } from '../loop/skills/load-skill.js';

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
/** The module of an agent folder (`agents/<name>/agent.ts`), in the order they are looked for. */
const FOLDER_MODULES = ['agent.ts', 'agent.js', 'agent.mjs'];
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

let typescriptHooks: Promise<void> | undefined;
let commonJsHooks: Promise<void> | undefined;

/** The absolute module path each agent loaded by {@link loadAgentFile} came from. */
const loadedFrom = new WeakMap<Agent, string>();

/**
 * Loads the agent a module path names (the default export), e.g. the path a run recorded.
 * Throws a `UserError` when the module is missing or is not an agent.
 */
export type AgentModuleLoader = (path: string) => Promise<Agent>;

/**
 * Loads a module whose default export is an agent made by `defineAgent`. TypeScript files load
 * without a build step: when the process does not already run under tsx, tsx's loader hooks
 * are registered once, globally (not `tsImport`'s private namespace), so the agent shares this
 * process's copy of Baton's modules and its errors stay recognisable.
 */
export async function loadAgentFile(path: string): Promise<Agent> {
  const agent = await loadAgentModule(path);
  if (agent === undefined) {
    throw new UserError('invalid_agent', `${path} has no default export; export default defineAgent({...})`);
  }
  return agent;
}

/**
 * The agent a module exports by default, or `undefined` for a module without a default export.
 * A folder stands for its `agent.ts`; an agent folder's `skills/` join the agent, and every
 * SKILL.md is read now, so a malformed one fails the load (naming the file and the field).
 */
async function loadAgentModule(path: string): Promise<Agent | undefined> {
  let absolute = resolve(path);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    absolute = folderModule(absolute) ?? join(absolute, FOLDER_MODULES[0] as string);
  }
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new UserError('agent_not_found', `agent file ${path} does not exist`);
  }
  const candidate = defaultExport(await importModule(absolute));
  if (candidate === undefined) return undefined;
  if (!isAgent(candidate)) {
    throw new UserError('invalid_agent', `the default export of ${path} is not an agent made by defineAgent`);
  }
  const agent = FOLDER_MODULES.includes(basename(absolute))
    ? withSkills(candidate, loadSkillsDir(join(dirname(absolute), 'skills')))
    : candidate;
  resolveSkills(agent);
  loadedFrom.set(agent, absolute);
  return agent;
}

/** The module of an agent folder (`agent.ts`, `agent.js` or `agent.mjs`), if it has one. */
export function folderModule(dir: string): string | undefined {
  return FOLDER_MODULES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

/**
 * The absolute path of the module an agent was loaded from by {@link loadAgentFile} (or an
 * agents directory), so the runs it starts can record it; undefined for agents defined in code.
 */
export function agentModulePath(agent: Agent): string | undefined {
  return loadedFrom.get(agent);
}

/**
 * Loads every agent of a directory: `<dir>/<name>.ts|.mts|.js|.mjs` and `<dir>/<name>/agent.ts`
 * (or `agent.js`). Keyed by the agent's own name; two files defining one name are an error. A
 * module without a default export is a helper (a shared tool, say) and is skipped; a default
 * export that is not an agent is still an error.
 */
export async function loadAgentsDir(dir: string): Promise<Map<string, Agent>> {
  const absolute = resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UserError('agent_not_found', `agents directory ${dir} does not exist`);
  }
  const agents = new Map<string, Agent>();
  for (const entry of readdirSync(absolute, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const file = entry.isDirectory()
      ? folderModule(join(absolute, entry.name))
      : MODULE_EXTENSIONS.includes(extname(entry.name)) &&
          !entry.name.endsWith('.d.ts') &&
          !entry.name.includes('.test.')
        ? join(absolute, entry.name)
        : undefined;
    if (file === undefined) continue;
    const agent = await loadAgentModule(file);
    if (agent === undefined) continue;
    if (agents.has(agent.name)) {
      throw new UserError(
        'duplicate_agent',
        `two files in ${dir} define an agent named ${agent.name} (${basename(file)})`,
      );
    }
    agents.set(agent.name, agent);
  }
  return agents;
}

/**
 * The default export of a module file, loaded as agent files are (TypeScript without a build
 * step): for the other files of a project folder, channels and schedules. Undefined when the
 * module has none.
 */
export async function importDefaultExport(path: string): Promise<unknown> {
  return defaultExport(await importModule(resolve(path)));
}

/**
 * Loads agents from the module paths runs recorded, so a worker process can execute runs
 * started elsewhere (`baton run <file>`, `baton serve --agents`) without being told about the
 * file. A module that loaded is loaded once per process; one that failed is tried again later.
 */
export function agentModuleLoader(): AgentModuleLoader {
  const cache = new Map<string, Promise<Agent>>();
  return (path: string) => {
    let loading = cache.get(path);
    if (!loading) {
      loading = loadAgentFile(path);
      cache.set(path, loading);
      loading.catch(() => cache.delete(path));
    }
    return loading;
  };
}

async function importModule(absolute: string): Promise<unknown> {
  const url = pathToFileURL(absolute).href;
  const typescript = TYPESCRIPT.has(extname(absolute));
  // A TypeScript file outside an ESM package scope is CommonJS to tsx, and Node 20 cannot
  // `require` the ESM modules it imports while this process's own module graph is still
  // loading; tsx's CommonJS hooks compile those imports instead.
  if (typescript) {
    commonJsHooks ??= import('tsx/cjs/api').then(({ register }) => {
      register();
    });
    await commonJsHooks;
  }
  try {
    return await import(url);
  } catch (error) {
    if (!typescript || (error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw await loadError(absolute, error);
    }
  }
  typescriptHooks ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  await typescriptHooks;
  try {
    // Node caches the failed import of `url`, so the retry uses a distinct URL for the module.
    return await import(`${url}?typescript`);
  } catch (error) {
    throw await loadError(absolute, error);
  }
}

/**
 * The module's default export. A TypeScript file in a CommonJS package scope compiles to
 * `exports.default`, which Node's ESM interop hands over as the whole `exports` object.
 */
function defaultExport(module: unknown): unknown {
  const value = (module as { default?: unknown }).default;
  const compiled = value as { __esModule?: unknown; default?: unknown } | null | undefined;
  return typeof compiled === 'object' && compiled !== null && compiled.__esModule === true
    ? compiled.default
    : value;
}

/**
 * The error for a module that failed to load. A syntax error names `file:line:column` and the
 * compiler's reason: Node's own SyntaxError carries no location and tsx's has it only inside a
 * multi-line message, so a file that failed is compiled again with esbuild (what tsx compiles
 * with) to find one. Any other failure keeps its first line.
 */
async function loadError(path: string, error: unknown): Promise<UserError> {
  const reason = (await locateSyntaxError(path)) ?? `${path}: ${messageOf(error).split('\n')[0]}`;
  return new UserError('invalid_agent', `cannot load ${reason}`, { cause: error });
}

// A test runner's module loader may hand over a plain object with a `message` instead of an Error.
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : errorMessage(error);
}

/** `file:line:column: reason` of the first syntax error esbuild finds in the file, if it finds one. */
async function locateSyntaxError(path: string): Promise<string | undefined> {
  const { transform } = await import('esbuild');
  const extension = extname(path);
  try {
    await transform(await readFile(path, 'utf8'), {
      loader: TYPESCRIPT.has(extension) ? 'ts' : 'js',
      format: 'esm',
      sourcefile: path,
    });
    return undefined;
  } catch (error) {
    const first = (
      error as { errors?: { text: string; location?: { line: number; column: number } | null }[] }
    ).errors?.[0];
    if (first?.location == null) return undefined;
    // esbuild counts columns from 0; editors and compilers show them from 1.
    return `${path}:${first.location.line}:${first.location.column + 1}: ${first.text}`;
  }
}

function isAgent(value: unknown): value is Agent {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Agent, unknown>>;
  return (
    typeof candidate.name === 'string' &&
    isInstructions(candidate.instructions) &&
    candidate.model !== undefined &&
    Array.isArray(candidate.tools) &&
    Array.isArray(candidate.handoffs) &&
    Object.isFrozen(value)
  );
}
