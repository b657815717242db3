import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../model/scripted-model.js';
import { defineAgent } from './agent.js';
import { defineSkill } from './skill.js';

describe('defineSkill', () => {
  it('makes a frozen skill without a folder, hashed over what it says', () => {
    const skill = defineSkill({ name: 'review', description: 'Reviews code.', body: 'Look twice.' });
    expect(skill).toMatchObject({ kind: 'skill', name: 'review', dir: undefined });
    expect(skill.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(defineSkill({ name: 'review', description: 'Reviews code.', body: 'Look again.' }).hash).not.toBe(
      skill.hash,
    );
    expect(Object.isFrozen(skill)).toBe(true);
  });

  it.each([
    [{ name: 'Review', description: 'x', body: '' }, 'skill name "Review" must be'],
    [{ name: 'a--b', description: 'x', body: '' }, 'skill name "a--b" must be'],
    [{ name: 'review', description: ' ', body: '' }, 'skill description is empty'],
  ])('refuses %o', (options, message) => {
    expect(() => defineSkill(options)).toThrow(message);
  });

  it('is accepted by defineAgent, as is an absolute folder path; a relative path is refused', () => {
    const skill = defineSkill({ name: 'review', description: 'Reviews code.', body: 'Look twice.' });
    const base = { name: 'reviewer', instructions: 'Review.', model: scriptedModel([]) };
    expect(defineAgent({ ...base, skills: [skill, '/srv/skills/lint'] }).skills).toEqual([
      skill,
      '/srv/skills/lint',
    ]);
    expect(() => defineAgent({ ...base, skills: ['skills/lint'] })).toThrow(
      'every skill must be made by defineSkill() or be the absolute path of a skill folder',
    );
  });
});
