import { headMoved } from './append-conflict.js';

/** The chain-head columns of a session row. */
export interface HeadColumns {
  head_seq: number | null;
  head_hash: string | null;
}

/**
 * The head a session row holds, once an append's `expectedHeadSeq` (when given) was checked
 * against it: `AppendConflictError` (`head_moved`) when another append got there first.
 */
export function headForAppend(
  sessionId: string,
  row: HeadColumns,
  expectedHeadSeq: number | null | undefined,
): { seq: number; hash: string } | undefined {
  if (expectedHeadSeq !== undefined && expectedHeadSeq !== row.head_seq)
    throw headMoved(sessionId, expectedHeadSeq, row.head_seq);
  return row.head_seq === null || row.head_hash === null
    ? undefined
    : { seq: row.head_seq, hash: row.head_hash };
}
