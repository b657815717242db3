/** What a unified diff (`git diff`) touches, parsed line by line. */
export interface DiffStats {
  /** Paths the diff touches (new path for renames; old path for deletions). */
  files: string[];
  /** Added lines with their file and 1-based line number in the new file. */
  added: { file: string; line: number; text: string }[];
  insertions: number;
  deletions: number;
}

const DIFF_HEADER = /^diff --git a\/(.+?) b\/(.+)$/;
const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Parses a `git diff` text; binary hunks count as touched files with no lines. */
export function diffStats(patch: string): DiffStats {
  const stats: DiffStats = { files: [], added: [], insertions: 0, deletions: 0 };
  let file = '';
  let newLine = 0;
  let inHunk = false;
  for (const line of patch.split('\n')) {
    const header = DIFF_HEADER.exec(line);
    if (header) {
      file = header[2] ?? '';
      stats.files.push(file);
      inHunk = false;
      continue;
    }
    const hunk = HUNK_HEADER.exec(line);
    if (hunk) {
      newLine = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith('+')) {
      stats.insertions += 1;
      stats.added.push({ file, line: newLine, text: line.slice(1) });
      newLine += 1;
    } else if (line.startsWith('-')) {
      stats.deletions += 1;
    } else if (line.startsWith(' ')) {
      newLine += 1;
    }
  }
  return stats;
}
