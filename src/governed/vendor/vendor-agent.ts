import { z } from 'zod';
import type { SandboxLimits } from '../../core/sandbox-policy.js';
import { claudeCodeTranslator } from './claude-code-stream.js';
import { codexTranslator } from './codex-stream.js';
import { opencodeTranslator } from './opencode-stream.js';
import type { VendorStreamTranslator } from './vendor-event.js';

/** The vendor coding-agent CLIs Baton runs headless inside the sandbox. */
export const VENDOR_HARNESSES = ['claude-code', 'codex', 'opencode'] as const;

/** One of {@link VENDOR_HARNESSES}. */
export type VendorHarness = (typeof VENDOR_HARNESSES)[number];

/** Which vendor CLI a run uses, and how: recorded in the run input, so the contract pins it. */
export const vendorAgentSchema = z.object({
  harness: z.enum(VENDOR_HARNESSES),
  model: z.string().min(1).optional(),
  /** Claude Code's `--allowedTools`; the other vendors have no such list. */
  allowedTools: z.array(z.string().min(1)).optional(),
});

/** A parsed vendor agent: the harness, its model and (Claude Code) its allowed tools. */
export type VendorAgent = z.infer<typeof vendorAgentSchema>;

/** Claude Code run headless (`claude -p --output-format stream-json --verbose`). */
export function claudeCode(options: { model?: string; allowedTools?: string[] } = {}): VendorAgent {
  return { harness: 'claude-code', ...options };
}

/** Codex run headless (`codex exec --json`). */
export function codex(options: { model?: string } = {}): VendorAgent {
  return { harness: 'codex', ...options };
}

/** OpenCode run headless (`opencode run --format json`). */
export function opencode(options: { model?: string } = {}): VendorAgent {
  return { harness: 'opencode', ...options };
}

/** The executable each harness runs, looked up on the sandbox's PATH. */
export function vendorExecutable(agent: VendorAgent): string {
  return agent.harness === 'claude-code' ? 'claude' : agent.harness;
}

/**
 * The command line of one headless run of `agent` on `task`. Each vendor's own sandbox and
 * permission prompts are turned off: Baton's sandbox (bubblewrap, no network but the
 * allowlisted hosts, the checkout the only writable path) is the boundary, and nobody is there
 * to answer a prompt.
 */
export function vendorArgv(agent: VendorAgent, task: string): string[] {
  const model = agent.model === undefined ? [] : ['--model', agent.model];
  switch (agent.harness) {
    case 'claude-code':
      return [
        'claude',
        '-p',
        task,
        '--output-format',
        'stream-json',
        '--verbose',
        '--permission-mode',
        'acceptEdits',
        ...model,
        ...(agent.allowedTools === undefined ? [] : ['--allowedTools', agent.allowedTools.join(',')]),
      ];
    case 'codex':
      return [
        'codex',
        'exec',
        '--json',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        ...model,
        task,
      ];
    case 'opencode':
      return ['opencode', 'run', '--format', 'json', ...model, task];
  }
}

/**
 * Variables each harness runs with inside the sandbox, besides its released secrets. Claude
 * Code would otherwise try its auto-updater, telemetry and error reporting: hosts the sandbox
 * refuses anyway (only `--allow-host` hosts are reachable), so they are turned off at the source.
 */
export function vendorEnvironment(agent: VendorAgent): Record<string, string> {
  return agent.harness === 'claude-code'
    ? { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1' }
    : {};
}

/** 4 GiB: Claude Code's address space at start is just over 2 GiB (2.1.197 runs at 2.25 GiB, not at 2). */
const CLAUDE_CODE_MEMORY_BYTES = 4 * 1024 ** 3;

/**
 * Sandbox limits a harness needs above the defaults, unless the run sets its own. Claude Code
 * is a Bun executable that reserves more than 2 GiB of address space when it starts: under the
 * default RLIMIT_AS of 2 GiB it dies at once of SIGILL, before it prints anything.
 */
export function vendorLimits(agent: VendorAgent): Partial<SandboxLimits> {
  return agent.harness === 'claude-code' ? { memoryBytes: CLAUDE_CODE_MEMORY_BYTES } : {};
}

/** A fresh translator of `agent`'s event stream (each keeps the state of one run). */
export function vendorTranslator(agent: VendorAgent): VendorStreamTranslator {
  switch (agent.harness) {
    case 'claude-code':
      return claudeCodeTranslator();
    case 'codex':
      return codexTranslator();
    case 'opencode':
      return opencodeTranslator();
  }
}
