import type { ErrorCodeEntry, ErrorDomain } from '../src/core/error-codes/error-code-entry.js';
import { ERROR_CODES } from '../src/core/error-codes.js';
import { markdownTable } from './markdown.js';

/** Each domain's heading and the union type of its codes, in the order the document lists them. */
const DOMAINS: Readonly<Record<ErrorDomain, { title: string; type: string }>> = {
  http: { title: 'HTTP API', type: 'HttpErrorCode' },
  run: { title: 'Runs', type: 'RunErrorCode' },
  model: { title: 'Models', type: 'ModelErrorCode' },
  tool: { title: 'Tool calls', type: 'ToolErrorCode' },
  store: { title: 'Stores', type: 'StoreErrorCode' },
  workspace: { title: 'Workspaces', type: 'WorkspaceErrorCode' },
  sandbox: { title: 'Sandboxes', type: 'SandboxErrorCode' },
  delegation: { title: 'Delegation', type: 'DelegationErrorCode' },
  config: { title: 'Configuration', type: 'ConfigErrorCode' },
  proof: { title: 'Proof', type: 'ProofErrorCode' },
  handoff: { title: 'Hand-offs', type: 'HandoffErrorCode' },
  client: { title: 'HTTP client', type: 'ClientErrorCode' },
};

const ENTRIES = Object.entries(ERROR_CODES) as [string, ErrorCodeEntry][];

/** docs/errors.md, from the error table (src/core/error-codes.ts). */
export function renderErrorsDoc(): string {
  return [
    '# Errors',
    '',
    '<!-- Generated from src/core/error-codes.ts by `npm run docs:errors`; test/generated-docs.test.ts',
    '     fails when it is out of date. Edit the table, not this file. -->',
    '',
    'Every error Baton reports carries a `code` from this list, and a message for a person. Codes',
    'are stable: a code is never renamed or reused. Over HTTP an error is',
    '`{ "error": { "code", "message" } }` with the status below (a 500 always says only',
    '`internal`; what failed goes to the server log). A run that fails records `{ code, message }`',
    'in its `run.failed` event; a tool call that fails gives the model `{ code, message }` as its',
    'result. In TypeScript, `BatonError.code` is the union of every code, and each section is a',
    "union of its own (`RunErrorCode`, `HttpErrorCode`, ...). The CLI's exit code follows the",
    "error's class (`src/cli/exit-codes.ts`, in the README).",
    '',
    'HTTP `—`: the code is only recorded (on a run, a task or a tool result), never an answer.',
    ...(Object.entries(DOMAINS) as [ErrorDomain, { title: string; type: string }][]).flatMap(
      ([domain, { title, type }]) => [
        '',
        `## ${title} (\`${type}\`)`,
        '',
        markdownTable(
          ['Code', 'HTTP', 'What it means'],
          ENTRIES.filter(([, entry]) => entry.domain === domain).map(([code, entry]) => [
            `\`${code}\``,
            entry.status === null ? '—' : String(entry.status),
            entry.description,
          ]),
        ),
      ],
    ),
    '',
  ].join('\n');
}
