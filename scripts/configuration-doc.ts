import {
  COMMANDS,
  flagCommands,
  flagDescription,
  type Setting,
  shownDefault,
} from '../src/config/setting.js';
import { SETTINGS } from '../src/config/settings.js';
import { MODEL_VARIABLES } from '../src/model/resolve-model.js';
import { PASSED_VARIABLES } from '../src/workspace/sandbox/environment.js';
import { TOOLCHAIN_VARIABLES } from '../src/workspace/sandbox/policy.js';
import { markdownTable } from './markdown.js';

const SPECS = Object.values(SETTINGS) as Setting<unknown>[];

const code = (text: string) => `\`${text}\``;
const orDash = (text: string | undefined) => text ?? '—';

/** docs/configuration.md, from the configuration table (src/config/settings/, one file per concern). */
export function renderConfigurationDoc(): string {
  const variables = SPECS.filter((spec) => spec.env !== undefined);
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/settings/ by `npm run docs:config`; test/generated-docs.test.ts',
    '     fails when it is out of date. Edit the table, not this file. -->',
    '',
    'Every setting of the `baton` CLI is a `BATON_*` environment variable, a flag, or both, and',
    'is defined once, in `src/config/settings/` (one file per concern). A flag wins over its variable, the variable over',
    'the default; an empty variable counts as unset. An unusable value stops the command with one',
    'usage error naming the variable or the flag (exit 2, `src/cli/exit-codes.ts`).',
    '',
    'The CLI reads its environment once, where it starts (`loadConfig({ env, flags })` in',
    '`src/config/load-config.ts`), and passes what the library needs down as explicit options:',
    'the library itself reads no `BATON_*` variable. Library users pass the same options',
    '(`createRuntime({ leaseTtlMs, tokenSecret, profiles: { model } })`, `openStore(spec, { synchronous })`,',
    '`openPostgresStore(url, { poolSize })`) or an `env` of their own.',
    '',
    '## Environment variables',
    '',
    markdownTable(
      ['Variable', 'Flag', 'Default', 'What it decides'],
      variables.map((spec) => [
        code(spec.env ?? ''),
        spec.flag ? code(spec.flag.syntax) : '—',
        orDash(shownDefault(spec)),
        choicesNote(spec, spec.description),
      ]),
    ),
    '',
    '## Flags, by command',
    '',
    'Arguments (`<runId>`, `<agent-file>`...) are in `baton <command> --help`.',
    ...COMMANDS.flatMap((command) => {
      const flags = SPECS.filter((spec) => spec.flag && flagCommands(spec.flag).includes(command));
      return [
        '',
        `### \`baton ${command}\``,
        '',
        markdownTable(
          ['Flag', 'Default', 'Variable', 'What it does'],
          flags.map((spec) => [
            code(spec.flag?.syntax ?? ''),
            orDash(shownDefault(spec)),
            spec.env ? code(spec.env) : '—',
            choicesNote(spec, flagDescription(spec, command) ?? spec.description),
          ]),
        ),
      ];
    }),
    '',
    '## Variables passed down, not settings',
    '',
    "These are not Baton's settings but variables that users' own definitions name. The CLI passes",
    'the environment it was started with down (`createRuntime({ env })`, `createApp({ env })`, the',
    "workspace functions' `hostEnv`), and they are looked up there; the `createRuntime` exported from",
    '`baton-runtime` and the other public entry points default `env` to the process environment.',
    '',
    markdownTable(
      ['Variable', 'Looked up for'],
      [
        ...Object.entries(MODEL_VARIABLES).map(([name, use]) => [code(name), use]),
        ...PASSED_VARIABLES.map((name) => [code(name), 'passed into every sandboxed command']),
        ...TOOLCHAIN_VARIABLES.map((name) => [
          code(name),
          'passed into a sandboxed command when the installation it names is visible inside',
        ]),
        [code('HOME'), "hidden from sandboxed commands; git finds the user's configuration under it"],
        [
          code('PGHOST'),
          'lets a postgres:// URL name no host (the driver reads it and the other PG* variables)',
        ],
        [
          code('GIT_*'),
          'the git commands Baton runs on your repository see them (not those redirecting git to another repository)',
        ],
      ],
    ),
    '',
  ];
  return lines.join('\n');
}

function choicesNote(spec: Setting<unknown>, text: string): string {
  return spec.choices ? `${text} (${spec.choices.map(code).join(', ')})` : text;
}
