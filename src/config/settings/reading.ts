import { integerAtLeast, text } from '../parsers.js';
import { setting } from '../setting.js';

/** Reading what the store holds. */
export const READING_SETTINGS = {
  limit: setting({
    flag: {
      syntax: '--limit <n>',
      commands: { 'runs list': 'how many runs', 'tasks list': 'at most this many (max 500)' },
    },
    description: 'how many to list',
    default: 50,
    parse: integerAtLeast(1),
  }),
  reason: setting<string>({
    flag: {
      syntax: '--reason <text>',
      commands: { approve: 'why (recorded with the decision)', deny: 'why: the model sees it (required)' },
    },
    description: 'the reason recorded with an approval decision',
    parse: text,
  }),
  from: setting({
    flag: { syntax: '--from <seq>', commands: ['events'] },
    description: 'first seq to print',
    default: 0,
    parse: integerAtLeast(0),
  }),
  namespace: setting<string>({
    flag: { syntax: '--namespace <name>', commands: ['tasks list'] },
    description: 'only this namespace',
    parse: text,
  }),
  profile: setting<string>({
    flag: { syntax: '--profile <profile>', commands: ['tasks list'] },
    description: 'only this profile (coder, researcher, agent:<name>)',
    parse: text,
  }),
  since: setting<string>({
    flag: { syntax: '--since <iso>', commands: ['tasks list'] },
    description: 'only tasks created at or after this ISO timestamp',
    parse: text,
  }),
};
