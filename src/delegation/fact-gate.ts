/**
 * The researcher's fail-closed fact gate. A fact candidate is accepted only when every judge
 * lets it through; the first veto rejects it and names the judge. A judge that throws vetoes
 * too, so a broken judge can never let an unchecked fact in.
 */

import { errorMessage } from '../core/errors.js';

/** Where a fact came from: a URL or reference string (`kind:ref`), or an object. */
export type Citation = string | { kind?: string; ref?: string; url?: string; title?: string };

/** A fact as the researcher agent proposes it. */
export interface FactCandidate {
  claim: string;
  /** The extracted value (a number, date, name...); must occur literally in the passage. */
  value?: string | number | boolean;
  /** The exact words of the source that support the claim. */
  verbatimPassage: string;
  /** The full source text the passage was taken from. */
  sourceText: string;
  citation?: Citation;
}

/** A judge's answer: `undefined` lets the fact through, a string is the veto reason. */
export type FactVerdict = string | undefined;

/** One check of the gate. `judge` receives a candidate whose shape the gate already checked. */
export interface FactJudge {
  readonly name: string;
  judge(fact: FactCandidate): FactVerdict | Promise<FactVerdict>;
}

/** Options of {@link gateFacts} and {@link builtInFactJudges}. */
export interface FactGateOptions {
  /** Minimum verbatim passage length in characters after trimming (default 12). */
  minPassageLength?: number;
  /** Citation kinds that name Baton's own output; citing one is circular (default {@link SELF_GENERATED_KINDS}). */
  selfGeneratedKinds?: readonly string[];
  /** Extra judges, run after the built-in ones in order. */
  judges?: readonly FactJudge[];
}

/** A rejected fact with the judge that vetoed it. */
export interface RejectedFact {
  item: unknown;
  vetoedBy: string;
  reason: string;
}

/** What the gate returns: accepted candidates in input order, and every rejection. */
export interface FactGateResult {
  accepted: FactCandidate[];
  rejected: RejectedFact[];
}

/** Artifact kinds Baton itself produces: a fact may not cite them as its source. */
export const SELF_GENERATED_KINDS: readonly string[] = [
  'task',
  'run',
  'session',
  'agent-output',
  'research-result',
];

/** Default minimum verbatim passage length. */
export const DEFAULT_MIN_PASSAGE_LENGTH = 12;

/** The kind a citation names: the object's `kind`, or the prefix of a `kind:ref` string. */
export function citationKind(citation: Citation | undefined): string | undefined {
  if (citation === undefined) return undefined;
  if (typeof citation === 'string') {
    const colon = citation.indexOf(':');
    return colon > 0 ? citation.slice(0, colon).toLowerCase() : undefined;
  }
  return citation.kind?.toLowerCase();
}

/** The built-in judges, in the order the gate runs them. */
export function builtInFactJudges(options: FactGateOptions = {}): FactJudge[] {
  const minLength = options.minPassageLength ?? DEFAULT_MIN_PASSAGE_LENGTH;
  const selfKinds = new Set(
    (options.selfGeneratedKinds ?? SELF_GENERATED_KINDS).map((kind) => kind.toLowerCase()),
  );
  return [
    {
      name: 'verbatim-passage',
      judge: (fact) =>
        fact.verbatimPassage.trim().length >= minLength
          ? undefined
          : `the verbatim passage must be at least ${minLength} characters`,
    },
    {
      name: 'passage-in-source',
      judge: (fact) =>
        fact.sourceText.includes(fact.verbatimPassage)
          ? undefined
          : 'the passage does not occur literally in its source text',
    },
    {
      name: 'value-in-passage',
      judge: (fact) =>
        fact.value === undefined || fact.verbatimPassage.includes(String(fact.value))
          ? undefined
          : `the value ${JSON.stringify(String(fact.value))} does not occur in the passage`,
    },
    {
      name: 'no-circular-citation',
      judge: (fact) => {
        const kind = citationKind(fact.citation);
        return kind !== undefined && selfKinds.has(kind)
          ? `the citation names a self-generated ${kind}, which is circular`
          : undefined;
      },
    },
  ];
}

/** Checks the candidate's shape; the reason names the first bad field. */
function shapeVeto(item: unknown): FactVerdict {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'the item is not an object';
  const record = item as Record<string, unknown>;
  for (const field of ['claim', 'verbatimPassage', 'sourceText']) {
    if (typeof record[field] !== 'string') return `${field} must be a string`;
  }
  const value = record.value;
  if (value !== undefined && !['string', 'number', 'boolean'].includes(typeof value)) {
    return 'value must be a string, number or boolean';
  }
  const citation = record.citation;
  if (
    citation !== undefined &&
    typeof citation !== 'string' &&
    (typeof citation !== 'object' || citation === null)
  ) {
    return 'citation must be a string or an object';
  }
  return undefined;
}

async function runJudge(judge: FactJudge, fact: FactCandidate): Promise<FactVerdict> {
  try {
    return await judge.judge(fact);
  } catch (error) {
    // Fail closed: a judge that cannot decide rejects.
    return `the judge failed: ${errorMessage(error)}`;
  }
}

/** Runs every item through the gate: shape, built-in judges, then custom judges; first veto wins. */
export async function gateFacts(
  items: readonly unknown[],
  options: FactGateOptions = {},
): Promise<FactGateResult> {
  const judges = [...builtInFactJudges(options), ...(options.judges ?? [])];
  const result: FactGateResult = { accepted: [], rejected: [] };
  for (const item of items) {
    const shapeReason = shapeVeto(item);
    if (shapeReason !== undefined) {
      result.rejected.push({ item, vetoedBy: 'shape', reason: shapeReason });
      continue;
    }
    const fact = item as FactCandidate;
    let veto: RejectedFact | undefined;
    for (const judge of judges) {
      const reason = await runJudge(judge, fact);
      if (reason !== undefined) {
        veto = { item, vetoedBy: judge.name, reason };
        break;
      }
    }
    if (veto) result.rejected.push(veto);
    else result.accepted.push(fact);
  }
  return result;
}
