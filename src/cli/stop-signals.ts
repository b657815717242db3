import type { Environment } from '../core/environment.js';

/** How often a command under npm looks whether its parent process is still there. */
const PARENT_POLL_MS = 500;

/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, so a command can stop taking work
 * and hand its runs back. A second signal exits at once. Returns a dispose function too.
 *
 * Under `npx` or an npm script the command runs below `npm` and a shell that does not pass
 * signals on: a SIGTERM to npm ends npm and the shell and would leave this process serving,
 * orphaned. There (npm says so in `env`), the parent going away counts as a SIGTERM.
 */
export function stopOnSignals(env: Environment): {
  signal: AbortSignal;
  received: () => NodeJS.Signals | undefined;
  dispose(): void;
} {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) process.exit(signalExitCode(signal));
    received = signal;
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const parentWatch = underNpm(env) ? watchParent(() => handler('SIGTERM')) : undefined;
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      if (parentWatch) clearInterval(parentWatch);
    },
  };
}

/** The conventional exit code of a process stopped by `signal`. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

function underNpm(env: Environment): boolean {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined;
}

// `process.ppid` is read from the system each time: an orphan is re-parented (to init or a
// subreaper), so a changed value means the parent is gone.
function watchParent(onGone: () => void): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref();
  return timer;
}
