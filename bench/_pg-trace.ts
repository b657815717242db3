// `npx tsx bench/_pg-trace.ts [worker]`: lists every statement one short run (a tool call, then an
// answer; TRACE_STEPS model calls) sends to Postgres after warm-up runs, in order, with the code
// that sent it (`P`: a named prepared statement). Started and executed in this process, or with
// `worker` queued and drained by a worker. The tool to see what each phase (start, claim, step,
// end, NOTIFY) costs.
import pg from 'pg';
import { createRuntime, openStore } from '../src/index.js';
import { dropSchema, schemaUrl, uniqueSchema } from '../test/helpers/postgres.js';
import { loopAgent } from './systems/baton.js';

const worker = process.argv.includes('worker');
const log: string[] = [];
let tracing = false;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function tracedQuery(this: pg.Client, ...args: unknown[]) {
  if (tracing) {
    const first = args[0] as string | { text: string; name?: string };
    const text = typeof first === 'string' ? first : first.text;
    const caller = (new Error().stack ?? '')
      .split('\n')
      .slice(2)
      .map((line) => /at (?:async )?(\S+) \(.*\/src\/(?:store|runtime|loop)\/([^:]+)/.exec(line))
      .filter((match) => match !== null)
      .slice(0, 4)
      .map((match) => `${match[1]}@${match[2]}`)
      .join(' < ');
    log.push(
      `${typeof first === 'object' && first.name ? 'P ' : '  '}${text.replace(/\s+/g, ' ').slice(0, 110)}  [${caller}]`,
    );
  }
  return (query as (...values: unknown[]) => unknown).apply(this, args);
} as typeof query;

const schema = uniqueSchema('trace');
const store = await openStore(schemaUrl(schema));
const runtime = createRuntime({ store, agents: [loopAgent(Number(process.env.TRACE_STEPS ?? 2), () => {})] });
try {
  for (let index = 0; index < 5; index += 1) {
    const { runId } = await runtime.start({ agent: 'loop', message: 'warm' });
    await runtime.execute(runId);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  tracing = true;
  if (worker) {
    await runtime.start({ agent: 'loop', message: 'traced' });
    log.push('--- worker');
    await runtime.startWorker({ concurrency: 1, untilIdle: true, pollIntervalMs: 20 }).done;
  } else {
    const { runId } = await runtime.start({ agent: 'loop', message: 'traced' });
    log.push('--- execute');
    await runtime.execute(runId);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  tracing = false;
  console.log(log.join('\n'));
  console.log(`${log.filter((line) => !line.startsWith('---')).length} statements`);
} finally {
  await runtime.close();
  await store.close();
  await dropSchema(schema);
}
