import { z } from 'zod';
import { type AnyTool, tool } from '../../core/tool.js';
import { type SandboxExecOptions, sandboxExec } from '../sandbox/sandbox-exec.js';
import { fileTools } from './file-tools.js';
import { searchTools } from './search-tools.js';

/** Sandbox settings for `run_command` (a run passes its `policy`); `cwd` is always the workspace root. */
export type WorkspaceSandboxOptions = Partial<Omit<SandboxExecOptions, 'cwd' | 'command' | 'signal'>>;

/** Options of {@link workspaceTools}. */
export interface WorkspaceToolsOptions {
  sandbox?: WorkspaceSandboxOptions;
  /** Longest one `grep` may search (default 30 s). */
  searchTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * The built-in toolset for coding agents, bound to one workspace root: `read_file`,
 * `write_file`, `edit_file`, `list_files`, `grep` and `run_command` (through the sandbox).
 * Paths are relative to the root; absolute paths, `..` and symlinks that lead out are refused.
 */
export function workspaceTools(root: string, options: WorkspaceToolsOptions = {}): AnyTool[] {
  const sandbox = options.sandbox ?? {};
  // The model should know which hosts it may reach, or it will not try (or try the wrong ones).
  const hosts = sandbox.policy?.allowHosts ?? sandbox.allowHosts ?? [];
  const network =
    hosts.length > 0 ? `network only to ${hosts.join(', ')} through HTTP_PROXY/HTTPS_PROXY` : 'no network';
  const runCommand = tool({
    name: 'run_command',
    description: `Run a shell command (sh -c) in the workspace root inside the sandbox: ${network}, only the workspace is writable.`,
    inputSchema: z.object({ command: z.string().min(1), timeout_ms: z.number().int().positive().optional() }),
    async execute({ command, timeout_ms: timeoutMs }, context) {
      return sandboxExec({
        timeoutMs: DEFAULT_TIMEOUT_MS,
        maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
        ...sandbox,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        cwd: root,
        command,
        signal: context.signal,
      });
    },
  });
  const search = searchTools(root, {
    ...(options.searchTimeoutMs !== undefined && { timeoutMs: options.searchTimeoutMs }),
  });
  return [...fileTools(root), ...search, runCommand];
}
