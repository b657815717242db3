import type { Agent } from '../core/agent.js';
import type { ErrorBody } from '../core/errors.js';
import { errorMessage } from '../core/errors.js';
import type { EventDataByType, ToolCallRecord } from '../core/events.js';
import type { ApprovalGuardrail } from '../core/gates.js';
import type {
  AnyGuardrail,
  Guardrail,
  GuardrailContext,
  GuardrailKind,
  GuardrailValueByKind,
} from '../core/guardrail.js';
import type { ToolOutcome } from '../core/tool.js';
import type { Journal } from './journal.js';

type Tripped = EventDataByType['guardrail.tripped'];

/** What a tripped tool guardrail does to its call: refuse it with a result, or ask for an approval. */
export type ToolScreen = { refuse: ToolOutcome } | { escalate: ApprovalGuardrail };

function ofKind<K extends GuardrailKind>(list: readonly AnyGuardrail[], kind: K): Guardrail<K>[] {
  // `on` decides what `check` is given, so a guardrail with `on === kind` checks values of `kind`.
  return list.filter((entry) => entry.on === kind) as unknown as Guardrail<K>[];
}

const isToolGuardrail = (entry: AnyGuardrail): boolean => entry.on === 'tool';

/**
 * Runs a run's guardrails: the starting agent's for the whole run (whichever agent is active),
 * plus the active agent's own tool guardrails for its tools. The first guardrail that trips is
 * committed as `guardrail.tripped`; a guardrail that throws trips (fails closed), since an
 * unchecked value must not pass.
 */
export class Guardrails {
  constructor(
    private readonly journal: Journal,
    private readonly starting: Agent,
  ) {}

  /**
   * Checks user messages before the model first sees them; a trip fails the run. An input or
   * output trip fails it whatever its action: there is no call for an approval to hold (see
   * docs/multi-agent.md, "Guardrails").
   */
  async screenInput(texts: readonly string[], agent: Agent): Promise<ErrorBody | undefined> {
    for (const text of texts) {
      const tripped = await this.screen(ofKind(this.starting.guardrails, 'input'), text, agent);
      if (tripped !== undefined) return runError(tripped);
    }
    return undefined;
  }

  /** Checks the final answer; a trip fails the run. */
  async screenOutput(text: string, agent: Agent): Promise<ErrorBody | undefined> {
    const tripped = await this.screen(ofKind(this.starting.guardrails, 'output'), text, agent);
    return tripped === undefined ? undefined : runError(tripped);
  }

  /** Whether the final answer is screened (most runs have no output guardrail). */
  screensOutput(): boolean {
    return this.starting.guardrails.some((entry) => entry.on === 'output');
  }

  /** Whether a tool guardrail applies while `agent` is active (most runs have none, and skip `screenTool`). */
  screensTools(agent: Agent): boolean {
    return (
      this.starting.guardrails.some(isToolGuardrail) ||
      (agent !== this.starting && agent.guardrails.some(isToolGuardrail))
    );
  }

  /**
   * Checks a tool call before it runs: a `block` trip gives it a `blocked` error result instead,
   * an `escalate` trip makes it wait for an approval (docs/hitl.md).
   */
  async screenTool(call: ToolCallRecord, agent: Agent): Promise<ToolScreen | undefined> {
    const list = ofKind(this.starting.guardrails, 'tool');
    if (agent !== this.starting) list.push(...ofKind(agent.guardrails, 'tool'));
    const value = { toolCallId: call.toolCallId, name: call.name, input: call.input };
    const tripped = await this.screen(list, value, agent);
    if (tripped === undefined) return undefined;
    if (tripped.action === 'escalate') return { escalate: { name: tripped.name, reason: tripped.reason } };
    return {
      refuse: {
        ok: false,
        output: null,
        error: { code: 'blocked', message: `guardrail ${tripped.name} blocked this call: ${tripped.reason}` },
      },
    };
  }

  private async screen<K extends GuardrailKind>(
    list: readonly Guardrail<K>[],
    value: GuardrailValueByKind[K],
    agent: Agent,
  ): Promise<Tripped | undefined> {
    const context: GuardrailContext = {
      sessionId: this.journal.sessionId,
      runId: this.journal.runId,
      agent: agent.name,
    };
    for (const entry of list) {
      let tripped: Tripped | undefined;
      try {
        const verdict = await entry.check(value, context);
        if (verdict?.tripwire === true) {
          tripped = {
            name: entry.name,
            on: entry.on,
            reason: typeof verdict.reason === 'string' ? verdict.reason : 'tripped',
            action: verdict.action === 'escalate' ? 'escalate' : 'block',
          };
        }
      } catch (error) {
        tripped = {
          name: entry.name,
          on: entry.on,
          reason: `the guardrail failed: ${errorMessage(error)}`,
          action: 'block',
        };
      }
      if (tripped === undefined) continue;
      await this.journal.append({ type: 'guardrail.tripped', data: tripped });
      return tripped;
    }
    return undefined;
  }
}

function runError(tripped: Tripped): ErrorBody {
  return {
    code: 'guardrail_tripped',
    message: `${tripped.on} guardrail ${tripped.name} tripped: ${tripped.reason}`,
  };
}
