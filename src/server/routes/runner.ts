import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Usage } from '../../core/events.js';
import { runnerUsageSchema } from '../../governed/runner-lifecycle-events.js';
import type { RunnerPlane } from '../../governed/runner-plane.js';
import { signatureSchema } from '../../proof/statements.js';
import { limitBody } from '../body-limit.js';
import { requireJsonBody } from '../json-body.js';
import { replayRepeatedWrites } from '../replay-window.js';
import { parseHeader, parseJsonBody, parseQuery, pathId } from '../request-input.js';
import { authenticateRunner, type RunnerAccess } from '../runner-access.js';
import type { ServerEnv } from '../server-env.js';

/** Largest blob a runner may upload (a patch, a receipt, an artifact). */
export const RUNNER_BLOB_LIMIT = 16 * 1024 * 1024;

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
const usage = runnerUsageSchema
  .strict()
  .transform(({ costUsd, ...tokens }): Usage => ({ ...tokens, ...(costUsd !== undefined && { costUsd }) }));
const stringList = z.array(z.string().max(1_000)).max(1_000);
const filter = z
  .object({
    kinds: stringList.optional(),
    agents: stringList.optional(),
    agentModules: z
      .array(z.object({ module: z.string().max(4_096), agents: stringList }))
      .max(1_000)
      .optional(),
    agentKinds: stringList.optional(),
    kindAgents: z
      .array(z.object({ kind: z.string().max(1_000), agents: stringList }))
      .max(1_000)
      .optional(),
  })
  .strict();
const claimBody = z
  .object({
    owner: z.string().min(1).max(512),
    ttlMs: z.number().int().positive(),
    waitMs: z.number().int().nonnegative().default(0),
    publicKey: hash,
    filter: filter.optional(),
  })
  .strict();
const draft = z.object({
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'must be an event type'),
  data: z.record(z.string(), z.unknown()),
});
const appendBody = z
  .object({
    events: z.array(draft).min(1).max(1_000),
    runPatch: z
      .object({ usage: usage.optional(), activeMs: z.number().nonnegative().optional() })
      .strict()
      .optional(),
    expectedHeadSeq: z.number().int().nullable().optional(),
    requireRunStatus: z
      .array(z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled']))
      .optional(),
  })
  .strict();
const updateBody = z
  .object({
    patch: z
      .object({
        activeMs: z.number().nonnegative().optional(),
        usage: usage.optional(),
        status: z.literal('queued').optional(),
        lease: z.null().optional(),
      })
      .strict(),
  })
  .strict();
const leaseBody = z
  .object({ ttlMs: z.number().int().positive(), activeMs: z.number().nonnegative().optional() })
  .strict();
const announceBody = z
  .object({
    ttlMs: z.number().int().positive(),
    worker: z
      .object({
        id: z.string().min(1).max(512),
        host: z.string().max(512),
        pid: z.number().int(),
        agents: stringList,
        agentModules: z.array(z.object({ module: z.string().max(4_096), agents: stringList })).max(1_000),
        loadsModules: z.boolean(),
        unloadableModules: z
          .array(z.object({ module: z.string().max(4_096), reason: z.string().max(4_096) }))
          .max(1_000),
        kinds: stringList,
        kindAgents: z.array(z.object({ kind: z.string().max(1_000), agents: stringList })).max(1_000),
        concurrency: z.number().int().positive(),
        runsInFlight: z.number().int().nonnegative(),
        startedAt: z.string().max(64),
        publicKey: hash,
      })
      .strict(),
  })
  .strict();
const eventsQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().positive().optional(),
  types: z.string().max(10_000).optional(),
});
const leaseToken = z.string().min(1).max(256);
const pool = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a pool name');

/**
 * The runner API, `/v1/runner/:pool/...` (docs/handoff.md, "Plane and runners"): what runners
 * of a pool do over HTTP instead of holding the database. Every route is authenticated by the
 * pool's runner token; run routes also by the lease token (`Baton-Lease`) the claim returned.
 * Blobs are a run's (`/runs/:run/blobs/:hash`): there is no pool-wide blob route, so a hash
 * alone admits nothing. JSON bodies are limited to `bodyLimit`, blob uploads to
 * {@link RUNNER_BLOB_LIMIT} each and to the plane's quota per run. A claim, append, complete or
 * release repeated with the same `Idempotency-Key` (a runner retrying a call whose answer it
 * never got) gets the first attempt's answer instead of being executed twice.
 */
export function runnerRoutes(plane: RunnerPlane, access: RunnerAccess, bodyLimit: number): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  const json = [limitBody(bodyLimit), requireJsonBody()] as const;
  routes.use('/:pool/*', authenticateRunner(access));
  // The writes whose repeat would take effect twice: a repeat gets the first attempt's answer.
  const replayed = replayRepeatedWrites();
  const poolOf = (value: string | undefined) => parseHeader('pool', value ?? '', pool);
  const lease = (value: string | undefined) => parseHeader('baton-lease', value ?? '', leaseToken);
  /** The pool, run id and lease token of a request about a leased run. */
  const leased = (c: Context<ServerEnv>): [string, string, string] => [
    poolOf(c.req.param('pool')),
    pathId('run', c.req.param('run') ?? ''),
    lease(c.req.header('baton-lease')),
  ];

  routes.post('/:pool/keys', ...json, async (c) => {
    const proof = await parseJsonBody(c.req, z.object({ proof: signatureSchema }).strict());
    await plane.registerKey(poolOf(c.req.param('pool')), proof.proof);
    return c.json({ pool: c.req.param('pool'), publicKey: proof.proof.publicKey }, 201);
  });
  routes.post('/:pool/workers', ...json, async (c) => {
    const body = await parseJsonBody(c.req, announceBody);
    await plane.announce(poolOf(c.req.param('pool')), body.worker, body.ttlMs);
    return c.body(null, 204);
  });
  routes.delete('/:pool/workers/:id', async (c) => {
    await plane.removeWorker(poolOf(c.req.param('pool')), pathId('worker', c.req.param('id')));
    return c.body(null, 204);
  });
  routes.get('/:pool/agent-modules', async (c) =>
    c.json({ modules: await plane.agentModules(poolOf(c.req.param('pool'))) }),
  );

  routes.post('/:pool/claim', replayed, ...json, async (c) => {
    const body = await parseJsonBody(c.req, claimBody);
    const claim = await plane.claim(
      poolOf(c.req.param('pool')),
      {
        owner: body.owner,
        ttlMs: body.ttlMs,
        waitMs: body.waitMs,
        publicKey: body.publicKey,
        ...(body.filter && { filter: body.filter }),
      },
      c.req.raw.signal,
    );
    return claim ? c.json(claim) : c.body(null, 204);
  });

  routes.get('/:pool/runs/:run', async (c) => {
    return c.json({ run: await plane.run(...leased(c)) });
  });
  routes.post('/:pool/runs/:run/lease', ...json, async (c) => {
    const body = await parseJsonBody(c.req, leaseBody);
    const renewed = await plane.renew(...leased(c), body.ttlMs, body.activeMs);
    return c.json({ renewed });
  });
  routes.post('/:pool/runs/:run/release', replayed, async (c) => {
    await plane.release(...leased(c));
    return c.body(null, 204);
  });
  routes.post('/:pool/runs/:run/update', ...json, async (c) => {
    const body = await parseJsonBody(c.req, updateBody);
    const run = await plane.update(...leased(c), body.patch);
    return c.json({ run });
  });
  routes.get('/:pool/runs/:run/events', async (c) => {
    const query = parseQuery(c.req.query(), eventsQuery);
    const events = await plane.readEvents(...leased(c), {
      ...(query.from !== undefined && { from: query.from }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.types !== undefined && { types: query.types.split(',') }),
    });
    return c.json({ events });
  });
  routes.get('/:pool/runs/:run/head', async (c) => {
    const head = await plane.head(...leased(c));
    return c.json({ head: head ?? null });
  });
  routes.post('/:pool/runs/:run/events', replayed, ...json, async (c) => {
    const body = await parseJsonBody(c.req, appendBody);
    const events = await plane.append(...leased(c), {
      // The plane checks each type it must refuse; the data is the runner's, recorded as sent.
      events: body.events as never,
      ...(body.runPatch && { runPatch: body.runPatch }),
      ...(body.expectedHeadSeq !== undefined && { expectedHeadSeq: body.expectedHeadSeq }),
      ...(body.requireRunStatus && { requireRunStatus: body.requireRunStatus }),
    });
    return c.json({ events });
  });
  routes.post('/:pool/runs/:run/complete', replayed, ...json, async (c) => {
    const body = await parseJsonBody(c.req, z.object({ envelopeHash: hash }).strict());
    const receiptHash = await plane.complete(...leased(c), body.envelopeHash);
    return c.json({ receiptHash });
  });

  // Blobs are the run's: read under its lease when it names them, uploaded only for it.
  routes.get('/:pool/runs/:run/blobs/:hash', async (c) => {
    const wanted = parseHeader('hash', c.req.param('hash'), hash);
    const bytes = await plane.getBlob(...leased(c), wanted);
    return c.body(Buffer.from(bytes), 200, { 'content-type': 'application/octet-stream' });
  });
  routes.put('/:pool/runs/:run/blobs/:hash', limitBody(RUNNER_BLOB_LIMIT), async (c) => {
    const wanted = parseHeader('hash', c.req.param('hash'), hash);
    const target = leased(c);
    const bytes = c.get('requestBody') ?? new Uint8Array();
    await plane.putBlob(...target, bytes, wanted);
    return c.body(null, 204);
  });
  return routes;
}
