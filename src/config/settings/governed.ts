import { byteSize, integerAtLeast, text } from '../parsers.js';
import { setting } from '../setting.js';
import { SANDBOXED } from './command-groups.js';

/** Governed runs: `baton exec` and `baton run --workspace`. */
export const GOVERNED_SETTINGS = {
  allowUntracked: setting({
    flag: {
      syntax: '--allow-untracked <glob>',
      commands: {
        run: 'with --workspace: capture untracked files matching this glob (repeatable)',
        exec: 'capture untracked files matching this glob (repeatable)',
        handoff: 'send untracked files matching this glob (repeatable)',
      },
      repeatable: true,
    },
    description: 'capture untracked files matching this glob (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  sandbox: setting({
    flag: {
      syntax: '--no-sandbox',
      commands: {
        run: 'with --workspace: run commands without bubblewrap isolation (explicit opt-out)',
        exec: 'run without bubblewrap isolation (explicit opt-out, recorded in the contract)',
      },
    },
    description: 'run without bubblewrap isolation (explicit opt-out, recorded in the contract)',
    default: true,
  }),
  allowHost: setting({
    flag: { syntax: '--allow-host <host>', commands: ['exec', 'handoff'], repeatable: true },
    description:
      'let the command reach this host (host, host:port or *.domain) through an allowlisting HTTP(S) proxy (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  timeout: setting<number>({
    flag: { syntax: '--timeout <ms>', commands: ['exec'] },
    description: 'kill the command after this many ms',
    defaultText: '600000',
    parse: integerAtLeast(1),
  }),
  maxOutput: setting<number>({
    flag: { syntax: '--max-output <bytes>', commands: ['exec'] },
    description: 'keep at most this many bytes of stdout and of stderr',
    defaultText: 'the sandbox limit',
    parse: integerAtLeast(0),
  }),
  read: setting({
    flag: { syntax: '--read <path>', commands: SANDBOXED, repeatable: true },
    description: 'let sandboxed commands read this path (read-only; repeatable)',
    default: [] as string[],
    parse: text,
  }),
  hide: setting({
    flag: { syntax: '--hide <path>', commands: SANDBOXED, repeatable: true },
    description: 'hide this path from sandboxed commands, by its real path (repeatable)',
    default: [] as string[],
    parse: text,
  }),
  memory: setting<number>({
    flag: { syntax: '--memory <bytes>', commands: SANDBOXED },
    description: 'address space per process, and per command tree under root',
    defaultText: '2G',
    parse: byteSize,
  }),
  processes: setting<number>({
    flag: { syntax: '--processes <n>', commands: SANDBOXED },
    description: 'processes the command may run',
    defaultText: '4096',
    parse: integerAtLeast(1),
  }),
  tmpSize: setting<number>({
    flag: { syntax: '--tmp-size <bytes>', commands: SANDBOXED },
    description: "size of the sandbox's private /tmp, which holds its HOME",
    defaultText: '512M',
    parse: byteSize,
  }),
  maxPatch: setting<number>({
    flag: { syntax: '--max-patch <bytes>', commands: SANDBOXED },
    description: 'largest result patch; a larger one fails the run',
    defaultText: '50M',
    parse: byteSize,
  }),
};
