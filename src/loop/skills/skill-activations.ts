import type { BatonEvent, EventDataByType, EventDraft } from '../../core/events.js';
import type { Skill } from '../../core/skill.js';
import { ACTIVATE_SKILL } from './skill-tools.js';

/**
 * The skills a session activated, by name (with the hash each had): rebuilt from the log's
 * `skill.activated` events when a turn starts, so an activation outlives the run and the process.
 */
export class SkillActivations {
  private constructor(private readonly active: Map<string, string>) {}

  /** From the log's events, after the activations a checkpoint folded in (name -> hash). */
  static fromEvents(
    events: readonly BatonEvent[],
    before: Readonly<Record<string, string>> = {},
  ): SkillActivations {
    const active = new Map<string, string>(Object.entries(before));
    for (const event of events) {
      if (event.type === 'skill.activated' && !active.has(event.data.name))
        active.set(event.data.name, event.data.hash);
    }
    return new SkillActivations(active);
  }

  /** Whether the session activated the skill named `name`. */
  has(name: string): boolean {
    return this.active.has(name);
  }

  /**
   * The `skill.activated` a tool result commits with: one for the first successful
   * `activate_skill` of a skill in the session, none otherwise. Claimed at once, so two calls of
   * one step activating the same skill commit it once.
   */
  claim(
    result: EventDataByType['tool.result'],
    skills: ReadonlyMap<string, Skill>,
  ): EventDraft<'skill.activated'>[] {
    if (result.name !== ACTIVATE_SKILL || !result.ok) return [];
    const name = (result.output as { name?: unknown } | null)?.name;
    const skill = typeof name === 'string' ? skills.get(name) : undefined;
    if (skill === undefined || this.active.has(skill.name)) return [];
    this.active.set(skill.name, skill.hash);
    return [{ type: 'skill.activated', data: { name: skill.name, hash: skill.hash } }];
  }
}
