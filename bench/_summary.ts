// The closing summary of `npm run bench`: issue 18's targets and issue 17's tracing overhead
// beside what this run measured, from the figures the pieces reported (bench/_report.ts). A
// target whose figures a piece did not report (it failed, or was filtered out) reads "not
// measured".
import { ms, printTable, times } from './_table.js';

type Figures = ReadonlyMap<string, number>;

/** What a target's floor is computed with. */
type FloorOf = (figures: Figures) => Floor | undefined;

interface Target {
  name: string;
  /** The measured value as text, or undefined when a figure is missing. */
  measured(figures: Figures): string | undefined;
  /** `unresolved`: the run measured it, but its noise is larger than what it decides. */
  met(figures: Figures): boolean | 'unresolved' | undefined;
  /** The best this machine allows (see {@link Floor}), for the targets a step's floor bounds. */
  floor?: FloorOf;
}

/**
 * The least a durable step can cost on this machine, as the issue defines the step: the
 * in-memory step (the same loop, events sealed and kept, nothing written) plus two of the
 * store's one-commit floors (two transactions a step), measured in the same run; and what the
 * target's figure would be at that floor. `reachable` false: the target lies beyond the floor,
 * so no store code can meet it on this hardware. (An upper estimate of the floor by the in-memory
 * store's copy of each appended event, a few µs a step.)
 */
interface Floor {
  text: string;
  reachable: boolean;
}

const figure = (figures: Figures, key: string) => figures.get(key);

/** `a / b` when both figures are there. */
function ratio(figures: Figures, numerator: string, denominator: string): number | undefined {
  const top = figure(figures, numerator);
  const bottom = figure(figures, denominator);
  return top === undefined || bottom === undefined || bottom === 0 ? undefined : top / bottom;
}

function atMost(name: string, key: string, limit: number, unit: string): Target {
  return {
    name,
    measured: (figures) => {
      const value = figure(figures, key);
      return value === undefined ? undefined : `${ms(value)}${unit}`;
    },
    met: (figures) => {
      const value = figure(figures, key);
      return value === undefined ? undefined : value <= limit;
    },
  };
}

function atLeast(name: string, key: string, limit: number, unit: string): Target {
  return {
    name,
    measured: (figures) => {
      const value = figure(figures, key);
      return value === undefined ? undefined : `${value.toFixed(0)}${unit}`;
    },
    met: (figures) => {
      const value = figure(figures, key);
      return value === undefined ? undefined : value >= limit;
    },
  };
}

/** `numerator / denominator` must be at least (`direction` 'min') or at most ('max') `limit`. */
function ratioTarget(
  name: string,
  numerator: string,
  denominator: string,
  direction: 'min' | 'max',
  limit: number,
): Target {
  return {
    name,
    measured: (figures) => {
      const value = ratio(figures, numerator, denominator);
      return value === undefined ? undefined : times(value);
    },
    met: (figures) => {
      const value = ratio(figures, numerator, denominator);
      if (value === undefined) return undefined;
      return direction === 'min' ? value >= limit : value <= limit;
    },
  };
}

const NORMAL = 'durable.baton-sqlite-normal';
const POSTGRES = 'durable.baton-postgres';

/**
 * The in-memory step: the least of the runs that measured it (bench/durable.ts and bench/loop.ts
 * each run it, minutes apart, and on a shared machine they differ by up to 2×). The least keeps
 * the floor a lower bound: a noisy figure never makes a target look out of reach.
 */
function inMemoryStep(figures: Figures): number | undefined {
  const runs = ['durable.baton-memory.msPerStep', 'loop.baton-memory.msPerStep']
    .map((key) => figure(figures, key))
    .filter((value) => value !== undefined);
  return runs.length === 0 ? undefined : Math.min(...runs);
}

/** The in-memory step + two `commit` floors (ms), when both were measured. */
function stepFloor(figures: Figures, commit: string): number | undefined {
  const loop = inMemoryStep(figures);
  const one = figure(figures, commit);
  return loop === undefined || one === undefined ? undefined : loop + 2 * one;
}

/** A ratio precise enough to tell from the limit it is compared with. */
const closeRatio = (value: number) => `${value.toFixed(2)}×`;

/** A step-time target's floor: `limit` ms reachable only if the floor is at most it. */
function stepTimeFloor(commit: string, limit: number): FloorOf {
  return (figures) => {
    const floor = stepFloor(figures, commit);
    if (floor === undefined) return undefined;
    return { text: `${ms(floor)} ms`, reachable: floor <= limit };
  };
}

/** A "≥ `limit`× faster than `peer`" target's floor: the ratio if Baton's step were the floor. */
function speedupFloor(peer: string, commit: string, limit: number): FloorOf {
  return (figures) => {
    const floor = stepFloor(figures, commit);
    const other = figure(figures, peer);
    if (floor === undefined || other === undefined) return undefined;
    const best = other / floor;
    return { text: `${ms(floor)} ms → at most ${closeRatio(best)}`, reachable: best >= limit };
  };
}

const TARGETS: Target[] = [
  {
    ...atMost('SQLite NORMAL durable step ≤ 0.15 ms', `${NORMAL}.msPerStep`, 0.15, ' ms'),
    floor: stepTimeFloor('floor.sqliteNormal', 0.15),
  },
  {
    ...ratioTarget(
      '… ≥ 5× faster than the AI SDK in memory (AI SDK ÷ Baton, both in bench/loop.ts)',
      'loop.ai-sdk.msPerStep',
      // Measured in bench/loop.ts, next to the AI SDK: the same minutes.
      'loop.baton-sqlite-normal.msPerStep',
      'min',
      5,
    ),
    floor: speedupFloor('loop.ai-sdk.msPerStep', 'floor.sqliteNormal', 5),
  },
  {
    ...ratioTarget(
      '… ≥ 40× faster than LangGraph SqliteSaver (LangGraph ÷ Baton)',
      'durable.langgraph-sqlite.msPerStep',
      `${NORMAL}.msPerStep`,
      'min',
      40,
    ),
    floor: speedupFloor('durable.langgraph-sqlite.msPerStep', 'floor.sqliteNormal', 40),
  },
  {
    name: 'SQLite FULL step ≤ 1.2× two fsync’d commits',
    measured: (figures) => {
      const value = ratio(figures, 'durable.baton-sqlite-full.msPerStep', 'floor.sqliteFull');
      if (value === undefined) return undefined;
      // The step's own work, with no store at all, against the same two commits: what a FULL
      // step adds to them at the least (1.2× leaves it 0.2×).
      const loop = ratio(figures, 'durable.baton-memory.msPerStep', 'floor.sqliteFull');
      return `${times(value / 2)} two commits${loop === undefined ? '' : ` (in memory: ${times(loop / 2)})`}`;
    },
    met: (figures) => {
      const value = ratio(figures, 'durable.baton-sqlite-full.msPerStep', 'floor.sqliteFull');
      return value === undefined ? undefined : value / 2 <= 1.2;
    },
    floor: (figures) => {
      const floor = stepFloor(figures, 'floor.sqliteFull');
      const commit = figure(figures, 'floor.sqliteFull');
      if (floor === undefined || commit === undefined) return undefined;
      const best = floor / (2 * commit);
      return { text: `${ms(floor)} ms → at best ${closeRatio(best)}`, reachable: best <= 1.2 };
    },
  },
  {
    // A checkpoint that lands in a step but does not slow it (another thread's) is off the path.
    name: 'no WAL checkpoint on the step path (NORMAL, 200 steps)',
    measured: (figures) => {
      const count = figure(figures, `${NORMAL}.checkpointsPerRun`);
      const stepMs = figure(figures, `${NORMAL}.checkpointStepMs`);
      if (count === undefined) return undefined;
      return count === 0 ? 'none' : `${count.toFixed(1)}/run, ${ms(stepMs ?? Number.NaN)} ms each`;
    },
    met: (figures) => {
      const count = figure(figures, `${NORMAL}.checkpointsPerRun`);
      const stepMs = figure(figures, `${NORMAL}.checkpointStepMs`);
      const p50 = figure(figures, `${NORMAL}.p50`);
      if (count === undefined) return undefined;
      return count === 0 || (stepMs !== undefined && p50 !== undefined && stepMs <= 1.5 * p50);
    },
  },
  ratioTarget(
    'SQLite NORMAL p99 step ≤ 1.5× in-memory p99',
    `${NORMAL}.p99`,
    'durable.baton-memory.p99',
    'max',
    1.5,
  ),
  {
    ...atMost('Postgres step ≤ 1.2 ms', `${POSTGRES}.msPerStep`, 1.2, ' ms'),
    floor: stepTimeFloor('floor.postgres', 1.2),
  },
  atMost('Postgres ≤ 3 round trips per step', `${POSTGRES}.statementsPerStep`, 3, ''),
  {
    ...ratioTarget(
      'Postgres ≥ 2× faster than DBOS per step (DBOS ÷ Baton)',
      'durable.dbos-postgres.msPerStep',
      `${POSTGRES}.msPerStep`,
      'min',
      2,
    ),
    floor: speedupFloor('durable.dbos-postgres.msPerStep', 'floor.postgres', 2),
  },
  atLeast(
    'short runs ≥ 400/s on Postgres (worker, 8 in flight)',
    'runs.baton-postgres-worker.runsPerSecond',
    400,
    '/s',
  ),
  atLeast(
    'stretch: short runs ≥ 1,500/s on SQLite (worker)',
    'runs.baton-sqlite-worker.runsPerSecond',
    1_500,
    '/s',
  ),
  atMost('500 readers: delivery p99 ≤ 20 ms', 'http.readers500.p99', 20, ' ms'),
  atMost('500 readers: server CPU ≤ 8 µs per event copy', 'http.readers500.cpuMicrosPerCopy', 8, ' µs'),
  ratioTarget(
    'follow-up on 15,000 events ≤ 2× a new session (follow-up ÷ new)',
    'followup.steps3000',
    'followup.newSession',
    'max',
    2,
  ),
  {
    name: 'issue 17: tracing on SQLite ≤ 5 % CPU per step (paired median; yes: 3/4 of the pairs)',
    measured: (figures) => {
      const value = figure(figures, 'tracing.cpuOverheadPct');
      const thread = figure(figures, 'tracing.threadCpuOverheadPct');
      const p25 = figure(figures, 'tracing.cpuOverheadP25');
      const p75 = figure(figures, 'tracing.cpuOverheadP75');
      if (value === undefined) return undefined;
      const details = [
        ...(p25 === undefined || p75 === undefined
          ? []
          : [`pairs p25–p75 ${p25.toFixed(1)}–${p75.toFixed(1)} %`]),
        ...(thread === undefined ? [] : [`main thread ${thread.toFixed(1)} %`]),
      ];
      return details.length === 0 ? `${value.toFixed(1)} %` : `${value.toFixed(1)} % (${details.join('; ')})`;
    },
    met: (figures) => {
      const value = figure(figures, 'tracing.cpuOverheadPct');
      const p75 = figure(figures, 'tracing.cpuOverheadP75');
      if (value === undefined) return undefined;
      if (value > 5) return false;
      // Tracing only adds work: a median below 0 measures the bench's bias, not tracing. A median
      // within the target with a quarter of the pairs above it is within the noise.
      return value >= 0 && p75 !== undefined && p75 <= 5 ? true : 'unresolved';
    },
  },
];

/** Prints the issues' targets with this run's figures and, where a step's floor bounds them, that floor. */
export function printSummary(figures: Figures): void {
  printTable(
    ['target', 'this run', 'met', 'floor here (in-memory step + 2 one-commit floors)'],
    TARGETS.map((target) => {
      const met = target.met(figures);
      const floor = target.floor?.(figures);
      return [
        target.name,
        target.measured(figures) ?? 'not measured',
        met === undefined ? '' : met === 'unresolved' ? met : met ? 'yes' : 'no',
        floor === undefined ? '' : `${floor.text}${floor.reachable ? '' : ': beyond this hardware'}`,
      ];
    }),
  );
}
