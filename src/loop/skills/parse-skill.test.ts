import { describe, expect, it } from 'vitest';
import { parseSkillMarkdown } from './parse-skill.js';

const FILE = '/project/agents/a/skills/review/SKILL.md';

describe('parseSkillMarkdown', () => {
  it('reads name and description from the front matter and keeps the rest as the body', () => {
    const text =
      '---\nname: review\ndescription: Reviews code.\nlicense: MIT\n---\n\n# Review\nLook twice.\n';
    expect(parseSkillMarkdown(text, FILE)).toEqual({
      name: 'review',
      description: 'Reviews code.',
      body: '# Review\nLook twice.',
    });
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    const text = '\uFEFF---\r\nname: review\r\ndescription: Reviews code.\r\n---\r\nBody\r\n';
    expect(parseSkillMarkdown(text, FILE)).toMatchObject({ name: 'review', body: 'Body' });
  });

  it.each([
    ['no front matter', '# Review\n', 'has no YAML front matter'],
    ['an unclosed front matter', '---\nname: review\n', 'has no YAML front matter'],
    ['a list for front matter', '---\n- name\n---\n', 'must be a YAML mapping'],
    ['a missing name', '---\ndescription: Reviews code.\n---\n', 'front matter field name is missing'],
    [
      'a name with capitals',
      '---\nname: Review\ndescription: x\n---\n',
      'front matter field name "Review" must be',
    ],
    [
      'a numeric description',
      '---\nname: review\ndescription: 42\n---\n',
      'front matter field description must be a string',
    ],
    [
      'an empty description',
      "---\nname: review\ndescription: ''\n---\n",
      'front matter field description is empty',
    ],
    [
      'a description too long',
      `---\nname: review\ndescription: ${'x'.repeat(1025)}\n---\n`,
      'longer than 1024',
    ],
    [
      'bad YAML',
      '---\nname: review\ndescription: [unclosed\n---\n',
      'front matter is not valid YAML (line 3)',
    ],
  ])('refuses %s, naming the file and the problem', (_case, text, problem) => {
    expect(() => parseSkillMarkdown(text, FILE)).toThrow(`${FILE}: `);
    expect(() => parseSkillMarkdown(text, FILE)).toThrow(problem);
  });
});
