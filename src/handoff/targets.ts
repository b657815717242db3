/** Where a hand-off continues: a pool of runners of the plane. */
export interface HandoffTarget {
  kind: 'pool';
  pool: string;
}

/** Hand-off targets. */
export const targets = {
  /** The runners of pool `name` (`baton worker --pool <name> --plane <url>`). */
  pool: (name: string): HandoffTarget => ({ kind: 'pool', pool: name }),
} as const;
