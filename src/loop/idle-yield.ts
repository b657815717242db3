import type { Agent } from '../core/agent.js';
import { DEFAULT_MAX_ITERATIONS } from '../core/agent-limits.js';
import { backgroundChildOf } from '../core/background-tool.js';
import type { ChildTasks } from '../core/child-tasks.js';
import { completedTaskId } from '../core/child-tasks.js';
import type { BatonEvent } from '../core/events.js';
import { collectAgents } from './handoffs.js';
import type { TurnEnd } from './turn-end.js';

/**
 * Idle-yield (docs/multi-agent.md, "Background children"): when the model answers while
 * background children it started have not reported, the run waits for them instead of ending.
 * A child has reported once its `<task-completed>` message is in the log the turn has read, so
 * a child that finished before the turn's end (and whose message the turn has not read yet)
 * still counts as pending: the run's park then fails on the moved head and it resumes at once.
 */
export class IdleYield {
  private readonly reported: Set<string>;
  /** This run's idle-yields so far, over all its attempts. */
  private waits = 0;

  constructor(
    events: readonly BatonEvent[],
    private readonly runId: string,
    private readonly sessionId: string,
    private readonly children: ChildTasks | undefined,
    private readonly maxIterations = DEFAULT_MAX_ITERATIONS,
    /** Children whose reports a checkpoint folded in before `events`. */
    reportedBefore: readonly string[] = [],
  ) {
    this.reported = new Set(reportedBefore);
    for (const event of events) {
      if (event.type === 'message.received') this.note(event);
      else if (event.type === 'run.waiting' && event.runId === runId && event.data.waitingOn === 'children')
        this.waits += 1;
    }
  }

  /** Whether the turn may wait for children at its answer (its agents have a background tool). */
  get watchesChildren(): boolean {
    return this.children !== undefined;
  }

  /** Records a message the turn read: a background `<task-completed>` is a child's report. */
  note(event: BatonEvent<'message.received'>): void {
    if (event.data.priority !== 'background') return;
    const taskId = completedTaskId(event.data.text);
    if (taskId !== undefined) this.reported.add(taskId);
  }

  /**
   * How the turn ends instead of answering: waiting on the children that have not reported, or
   * `max_iterations` when the run already waited as often as its limit allows; undefined when
   * no child is pending (the answer stands).
   */
  async decide(): Promise<TurnEnd | undefined> {
    if (this.children === undefined) return undefined;
    const pending = (await this.children.list(this.sessionId)).filter((id) => !this.reported.has(id));
    if (pending.length === 0) return undefined;
    if (this.waits >= this.maxIterations) {
      return {
        reason: 'max_iterations',
        message: `run ${this.runId} waited for its background children ${this.waits} times, its limit (limits.maxIterations); ${pending.length} still pending`,
      };
    }
    return {
      reason: 'waiting',
      waiting: { approvalIds: [], requestIds: [], waitingOn: 'children', taskIds: pending },
    };
  }
}

/** Whether `root` or an agent it hands off to has a background tool: only then can a turn idle-yield. */
export function startsChildren(root: Agent): boolean {
  for (const agent of collectAgents(root).values()) {
    if (agent.tools.some((candidate) => backgroundChildOf(candidate) !== undefined)) return true;
  }
  return false;
}
