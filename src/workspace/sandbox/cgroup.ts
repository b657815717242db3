import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/** A cgroup (one per controller hierarchy) that a sandbox's whole process tree is placed in. */
export interface TreeCgroup {
  /** `cgroup.procs` files the launcher writes its pid to before it starts the sandbox. */
  procsFiles: string[];
  /** Removes the cgroup directories once the tree has exited. */
  remove(): Promise<void>;
}

/**
 * Creates a memory + pids cgroup for one sandboxed command when Baton runs as root and the
 * cgroup file system is writable (cgroup v1 hierarchies `memory/` and `pids/`, or v2 with both
 * controllers delegated). Returns undefined anywhere else: RLIMIT_AS and RLIMIT_NPROC still
 * apply per process (documented in docs/security.md).
 */
export async function createTreeCgroup(limits: {
  memoryBytes: number;
  processes: number;
}): Promise<TreeCgroup | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = `baton-${randomBytes(6).toString('hex')}`;
  const created: string[] = [];
  const remove = async () => {
    for (const dir of created.reverse()) await removeWhenEmpty(dir);
  };
  try {
    if (existsSync(join(ROOT, 'cgroup.controllers'))) {
      const dir = join(await ownCgroup(ROOT, ''), name);
      await mkdir(dir);
      created.push(dir);
      await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
      // Absent without swap accounting, where swap cannot extend the limit anyway.
      await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined);
      await writeFile(join(dir, 'pids.max'), String(limits.processes));
      return { procsFiles: [join(dir, 'cgroup.procs')], remove };
    }
    const memory = join(await ownCgroup(join(ROOT, 'memory'), 'memory'), name);
    const pids = join(await ownCgroup(join(ROOT, 'pids'), 'pids'), name);
    await mkdir(memory);
    created.push(memory);
    await mkdir(pids);
    created.push(pids);
    await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // Without swap accounting this file is absent; with it, swap must not extend the limit.
    await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(
      () => undefined,
    );
    await writeFile(join(pids, 'pids.max'), String(limits.processes));
    return { procsFiles: [join(memory, 'cgroup.procs'), join(pids, 'cgroup.procs')], remove };
  } catch {
    // No delegated cgroup here (a container, no write access): per-process limits still apply.
    await remove();
    return undefined;
  }
}

/** The directory of this process's own cgroup in a hierarchy (its mount root when that path is not visible). */
async function ownCgroup(mount: string, controller: string): Promise<string> {
  const lines = (await readFile('/proc/self/cgroup', 'utf8')).split('\n');
  for (const line of lines) {
    const [, controllers, path] = line.split(':');
    if (path === undefined || controllers === undefined) continue;
    const matches = controller === '' ? controllers === '' : controllers.split(',').includes(controller);
    if (matches && existsSync(join(mount, path))) return join(mount, path);
  }
  return mount;
}

// Killed processes leave their cgroup a moment after the sandbox's leader has exited.
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * The argv prefix that moves the launcher into the cgroup and then execs the rest, so that
 * every process of the sandbox starts inside it (none can fork before the move).
 */
export function joinCgroupPrefix(cgroup: TreeCgroup): string[] {
  const writes = cgroup.procsFiles.map((_, index) => `echo $$ > "$${index + 1}"`).join(' && ');
  return [
    '/bin/sh',
    '-c',
    `${writes} && shift ${cgroup.procsFiles.length} && exec "$@"`,
    'sh',
    ...cgroup.procsFiles,
  ];
}
