import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { runCli } from './helpers/cli.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('the permissions of the signing keys', () => {
  let home = '';
  let keysDir = '';
  let privateKey = '';

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'baton-key-modes-'));
    keysDir = join(home, 'keys');
    privateKey = join(keysDir, 'ed25519.key.pem');
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('creates keys/ 0700 and the private key 0600, also where keys/ already existed wider', async () => {
    mkdirSync(keysDir, { mode: 0o755 });
    chmodSync(keysDir, 0o755);
    await loadOrCreateKeys(home);
    expect(modeOf(keysDir)).toBe(0o700);
    expect(modeOf(privateKey)).toBe(0o600);
  });

  it('refuses to load a private key that others can read, and says how to fix it', async () => {
    await loadOrCreateKeys(home);
    chmodSync(privateKey, 0o644);
    await expect(loadOrCreateKeys(home)).rejects.toMatchObject({
      code: 'insecure_key_permissions',
      message: expect.stringContaining(`chmod 600 ${privateKey}`),
    });
    const shown = await runCli(['keys', 'show'], { env: { BATON_HOME: home } });
    expect(shown.code).not.toBe(0);
    expect(shown.stderr).toContain(`chmod 600 ${privateKey}`);
  });

  it('refuses to load keys from a keys/ directory that others can enter', async () => {
    await loadOrCreateKeys(home);
    chmodSync(keysDir, 0o755);
    await expect(loadOrCreateKeys(home)).rejects.toMatchObject({
      code: 'insecure_key_permissions',
      message: expect.stringContaining(`chmod 700 ${keysDir}`),
    });
  });

  it('loads keys whose modes are as created', async () => {
    const created = await loadOrCreateKeys(home);
    expect((await loadOrCreateKeys(home)).keyId).toBe(created.keyId);
  });
});
