import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueReceipt, receiptForRun, serializeEnvelope } from '../src/governed/issue.js';
import { loadOrCreateKeys } from '../src/proof/keys.js';
import { verifyReceiptFile } from '../src/proof/verify.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runCli } from './helpers/cli.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { execInProcess, tempKeys } from './helpers/governed.js';

describe('signing keys', () => {
  it('creates the key pair on first use with a private key only the owner can read, then reuses it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'baton-keys-'));
    try {
      const first = await loadOrCreateKeys(home);
      const second = await loadOrCreateKeys(home);
      expect(second.publicKeyHex).toBe(first.publicKeyHex);
      expect(first.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(home, 'keys', 'ed25519.key.pem')).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'keys')).mode & 0o777).toBe(0o700);
      expect(readFileSync(join(home, '.gitignore'), 'utf8')).toBe('*\n');
      const shown = await runCli(['keys', 'show', '--json'], { env: { BATON_HOME: home } });
      expect(JSON.parse(shown.stdout)).toMatchObject({ keyId: first.keyId, publicKey: first.publicKeyHex });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('receipts', () => {
  let repo: TempRepo;
  let home: Awaited<ReturnType<typeof tempKeys>>;
  let store: SqliteStore;
  let dbPath = '';
  let runId = '';
  let file = '';
  let original: Buffer;

  beforeAll(async () => {
    repo = createTempRepo({ 'a.txt': 'one\n' });
    repo.write('a.txt', 'two\n');
    home = await tempKeys();
    dbPath = join(home.home, 'baton.db');
    store = new SqliteStore(dbPath);
    runId = await execInProcess(store, {
      dir: repo.dir,
      command: ['sh', '-c', 'echo made > made.txt'],
      keys: home.keys,
    });
    original = Buffer.from(serializeEnvelope(await issueReceipt(store, runId, home.keys)));
    file = join(home.home, 'receipt.json');
    writeFileSync(file, original);
  });
  afterAll(async () => {
    await store.close();
    repo.remove();
    home.remove();
  });

  it('pins the contract, the terminal event and every artifact, and verifies offline and against the store', async () => {
    const envelope = JSON.parse(original.toString('utf8'));
    expect(Object.keys(envelope).sort()).toEqual(['contract', 'receipt', 'signatures', 'version']);
    expect(envelope.receipt).toMatchObject({ runId, status: 'succeeded', attempts: 1 });
    expect(envelope.receipt.artifacts.map((artifact: { kind: string }) => artifact.kind)).toEqual([
      'workspace.manifest',
      'workspace.bundle',
      'workspace.diff',
      'patch',
    ]);
    expect(await verifyReceiptFile(original)).toMatchObject({ valid: true, keyTrust: 'embedded' });
    expect(
      await verifyReceiptFile(original, { store, trustedPublicKey: home.keys.publicKeyHex }),
    ).toMatchObject({
      valid: true,
      keyTrust: 'pinned',
    });
  });

  it('returns the same receipt when asked again', async () => {
    expect(serializeEnvelope(await receiptForRun(store, runId, home.keys))).toBe(original.toString('utf8'));
  });

  it('rejects a receipt signed by another key than the trusted one', async () => {
    const other = await tempKeys();
    try {
      expect(await verifyReceiptFile(original, { trustedPublicKey: other.keys.publicKeyHex })).toEqual({
        valid: false,
        reason: 'the contract is not signed by the trusted key',
      });
    } finally {
      other.remove();
    }
  });

  it('rejects a receipt re-serialized in a non-canonical form', async () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(original.toString('utf8')), null, 2));
    expect(await verifyReceiptFile(pretty)).toMatchObject({
      valid: false,
      reason: expect.stringContaining('canonical'),
    });
  });

  it('rejects one-byte mutations at every position of the receipt file, never throwing', async () => {
    // Every single-bit flip, plus the replacements that change what JSON means rather than
    // only what it says: a digit becoming an exponent (614242 -> 6e4242 parses as Infinity),
    // a sign, a quote, an escape, a structural character, NUL and a byte that breaks UTF-8.
    const flips = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80];
    const replacements = [...'e-."\\{}[],: 0']
      .map((character) => character.charCodeAt(0))
      .concat([0x00, 0xff]);
    // Bounded by default (every position, two of its variants, rotating); all of them under
    // BATON_TORTURE=1: each verification is a full parse and signature check.
    const everyVariant = process.env.BATON_TORTURE === '1';
    const accepted: string[] = [];
    for (let position = 0; position < original.length; position += 1) {
      const byte = original[position] ?? 0;
      const all = [...new Set([...flips.map((flip) => byte ^ flip), ...replacements])].filter(
        (value) => value !== byte,
      );
      const variants = everyVariant
        ? all
        : [all[position % all.length] ?? byte ^ 1, all[(position * 7 + 3) % all.length] ?? byte ^ 2];
      for (const value of variants) {
        const mutated = Buffer.from(original);
        mutated[position] = value;
        const verdict = await verifyReceiptFile(mutated);
        if (verdict.valid) accepted.push(`byte ${position} -> 0x${value.toString(16)}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('says why a receipt whose number became an exponent is invalid, instead of throwing', async () => {
    const text = original.toString('utf8');
    // As in the report: `"bytes":614242` with one digit turned into `e`, which JSON reads as Infinity.
    const mutated = text.replace(/"bytes":\d+/, '"bytes":6e4242');
    expect(mutated).not.toBe(text);
    const verdict = await verifyReceiptFile(Buffer.from(mutated));
    expect(verdict).toEqual({ valid: false, reason: expect.any(String) });
    expect(verdict.valid || verdict.reason).not.toMatch(/Infinity is not allowed/);

    const mutatedFile = join(home.home, 'exponent.json');
    writeFileSync(mutatedFile, mutated);
    const rejected = await runCli(['verify', mutatedFile]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/^invalid: /);
    expect(rejected.stderr).not.toContain('Infinity is not allowed');
  });

  it.each([
    ['an empty file', ''],
    ['JSON that is not an object', '[1,2]'],
    ['a huge exponent', '1e999999'],
    ['deeply nested JSON', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['a receipt without signatures', '{"version":1}'],
  ])('answers %s with invalid and exit 1', async (_label, content) => {
    const file = join(home.home, 'malformed.json');
    writeFileSync(file, content);
    const verdict = await verifyReceiptFile(Buffer.from(content));
    expect(verdict).toEqual({ valid: false, reason: expect.any(String) });
    const rejected = await runCli(['verify', file]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/^invalid: /);
  });

  it('answers an unusable trusted key with invalid and exit 1', async () => {
    const keyFile = join(home.home, 'not-a-key.pem');
    writeFileSync(keyFile, '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n');
    for (const key of [keyFile, home.home, join(home.home, 'missing.pem')]) {
      const rejected = await runCli(['verify', file, '--public-key', key]);
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toMatch(/^invalid: /);
    }
  });

  it.runIf(process.env.BATON_TORTURE === '1')('rejects all 255 other values at every position', async () => {
    for (let position = 0; position < original.length; position += 1) {
      for (let flip = 1; flip < 256; flip += 1) {
        const mutated = Buffer.from(original);
        mutated[position] = (mutated[position] ?? 0) ^ flip;
        if ((await verifyReceiptFile(mutated)).valid)
          throw new Error(`byte ${position} ^ ${flip} was accepted`);
      }
    }
  });

  it('rejects mutations through the real CLI with exit code 1', async () => {
    const accepted = await runCli(['verify', file, '--db', dbPath]);
    expect(accepted.code).toBe(0);
    for (const needle of ['"status":"succeeded"', '"signature":"']) {
      const mutated = Buffer.from(original);
      const position = mutated.indexOf(needle) + needle.length + 1;
      mutated[position] = (mutated[position] ?? 0) ^ 0x02;
      const mutatedFile = join(home.home, 'mutated.json');
      writeFileSync(mutatedFile, mutated);
      const rejected = await runCli(['verify', mutatedFile]);
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toMatch(/^invalid: /);
    }
  }, 180_000);

  it('with --db, rejects a receipt whose artifact or event log no longer matches the store', async () => {
    const patch = JSON.parse(original.toString('utf8')).receipt.artifacts.find(
      (artifact: { kind: string }) => artifact.kind === 'patch',
    );
    const other = new SqliteStore(join(home.home, 'other.db'));
    try {
      const verdict = await verifyReceiptFile(original, { store: other });
      expect(verdict).toMatchObject({ valid: false, reason: expect.stringContaining('not in the database') });
    } finally {
      await other.close();
    }
    const Database = (await import('better-sqlite3')).default;
    const database = new Database(dbPath);
    try {
      database.prepare('UPDATE blobs SET bytes = ? WHERE hash = ?').run(Buffer.from('tampered'), patch.hash);
    } finally {
      database.close();
    }
    const verdict = await verifyReceiptFile(original, { store });
    expect(verdict).toMatchObject({ valid: false, reason: expect.stringContaining('does not match') });
  });
});
