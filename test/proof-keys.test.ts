import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileOnce } from '../src/proof/create-file-once.js';
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

// Two `baton serve` on one fresh home create its key at the same moment: the key is written
// whole under a name of its own and linked into place, so exactly one key wins and nobody reads
// a file still being written. These hold under any interleaving of the creators.
describe('creating the signing key once, with several creators at once', () => {
  let dir = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-key-race-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an absent file whole, with its mode, and leaves nothing else behind', async () => {
    const path = join(dir, 'key.pem');
    expect(await createFileOnce(path, 'the whole key\n', 0o600)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('the whole key\n');
    expect(modeOf(path)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('leaves a file that exists as it is (another creator linked it first), and nothing of its own', async () => {
    const path = join(dir, 'key.pem');
    writeFileSync(path, 'the first key\n', { mode: 0o600 });
    expect(await createFileOnce(path, 'a second key\n', 0o600)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('the first key\n');
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('lets exactly one of many creators at once win, and the file is that one’s, whole', async () => {
    const path = join(dir, 'key.pem');
    const contents = Array.from({ length: 16 }, (_, index) => `key ${index} `.repeat(4_096));
    const created = await Promise.all(contents.map((text) => createFileOnce(path, text, 0o600)));
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe(contents[created.indexOf(true)]);
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('gives every process loading a fresh home at once the same key pair', async () => {
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeys(dir)));
    expect(new Set(loaded.map((keys) => keys.keyId)).size).toBe(1);
    expect(readdirSync(join(dir, 'keys')).sort()).toEqual(['ed25519.key.pem', 'ed25519.pub.pem']);
    expect((await loadOrCreateKeys(dir)).keyId).toBe(loaded[0]?.keyId);
  });
});
