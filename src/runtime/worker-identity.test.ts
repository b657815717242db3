import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDeadLocalOwner, newWorkerIdentity } from './worker-identity.js';

describe('worker identity', () => {
  it('names this process, which is alive', () => {
    const owner = newWorkerIdentity();
    expect(owner).toMatch(new RegExp(`@${hostname()}/.+/${process.pid}$`));
    expect(isDeadLocalOwner(owner)).toBe(false);
  });

  it('recognises an owner whose process has exited', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const owner = newWorkerIdentity().replace(/\/\d+$/, `/${child.stdout.toString()}`);
    expect(isDeadLocalOwner(owner)).toBe(true);
  });

  it('never declares owners of other hosts, namespaces or unknown formats dead', () => {
    const dead = 999_999_999;
    const [id, location] = newWorkerIdentity().split('@') as [string, string];
    const namespace = location.split('/')[1];
    expect(isDeadLocalOwner(`${id}@another-host/${namespace}/${dead}`)).toBe(false);
    expect(isDeadLocalOwner(`${id}@${hostname()}/1/${dead}`)).toBe(false);
    expect(isDeadLocalOwner('cancel:run_1')).toBe(false);
    expect(isDeadLocalOwner('deferred')).toBe(false);
  });
});
