import { AGENT_NAME } from '../../core/agent.js';
import { UserError } from '../../core/errors.js';
import { checkPoolName } from '../pool-name.js';
import { AgentNotAllowedError } from './errors.js';

/**
 * The Baton agents each pool may be handed off to (`baton serve --pool-agents <pool>=<a,b>`):
 * a set of names, or `any` (`<pool>=*`). A pool with no entry takes no Baton agent at all:
 * such an agent's own tools run in the runner's process, outside the sandbox, so which agent
 * runs on which machines is the operator's to say, not any caller's.
 */
export type PoolAgents = ReadonlyMap<string, ReadonlySet<string> | 'any'>;

/** The allowlists of `--pool-agents` values; a pool named twice takes the names of both. */
export function poolAgents(values: readonly string[]): PoolAgents {
  const pools = new Map<string, Set<string> | 'any'>();
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals < 0)
      throw new UserError(
        'invalid_config',
        `--pool-agents takes <pool>=<agent,agent> or <pool>=*, not ${value}`,
      );
    const pool = checkPoolName(value.slice(0, equals));
    const names = value
      .slice(equals + 1)
      .split(',')
      .map((name) => name.trim());
    if (names.includes('*')) {
      pools.set(pool, 'any');
      continue;
    }
    for (const name of names)
      if (!AGENT_NAME.test(name))
        throw new UserError(
          'invalid_config',
          `--pool-agents ${pool}: ${JSON.stringify(name)} is not an agent name (${AGENT_NAME})`,
        );
    const allowed = pools.get(pool) ?? new Set<string>();
    if (allowed !== 'any') pools.set(pool, new Set([...allowed, ...names]));
  }
  return pools;
}

/** Throws {@link AgentNotAllowedError} unless `pool` may be handed off to the Baton agent `agent`. */
export function checkPoolAgent(allowed: PoolAgents | undefined, pool: string, agent: string): void {
  const names = allowed?.get(pool);
  if (names === 'any' || names?.has(agent)) return;
  throw new AgentNotAllowedError(
    names === undefined
      ? `pool "${pool}" takes no hand-off to a Baton agent: the plane names none for it (baton serve --pool-agents ${pool}=${agent})`
      : `pool "${pool}" takes hand-offs only to the Baton agents ${[...names].join(', ')}, not ${agent}`,
  );
}
