import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import { errorMessage, ValidationError } from '../../core/errors.js';
import { readRegularFile } from './regular-file.js';
import { walkFiles } from './walk-files.js';

/** One `grep` call, with its start path already resolved inside the workspace. */
export interface GrepRequest {
  root: string;
  start: string;
  /** The start is one file rather than a directory to walk. */
  startIsFile: boolean;
  pattern: string;
  glob?: string;
}

/** What `grep` answers. */
export interface GrepResult {
  matches: { path: string; line: number; text: string }[];
  truncated: boolean;
}

const MAX_MATCHES = 200;
const MAX_CANDIDATES = 50_000;
const MAX_GREP_FILE_BYTES = 1024 * 1024;
const MAX_LINE_CHARS = 500;
const READ_BATCH = 16;

/**
 * Compiles a JavaScript-style pattern for RE2, whose matching time is linear in the input: no
 * pattern can backtrack for seconds. What RE2 cannot run (lookaround, backreferences) is an
 * `invalid_request` saying so.
 */
export function compileGrepPattern(pattern: string): RE2JS {
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (error) {
    throw new ValidationError(
      `grep patterns use RE2 syntax (no lookaround, no backreferences): ${errorMessage(error)}`,
      'pattern',
    );
  }
}

/** A candidate's text, or undefined for a file to skip: binary, too large, gone or not a regular file. */
async function readText(request: GrepRequest, file: string): Promise<string | undefined> {
  let read: { bytes: Buffer; size: number };
  try {
    read = await readRegularFile(join(request.root, file), file, MAX_GREP_FILE_BYTES);
  } catch (error) {
    // A file that vanished or was swapped for a FIFO mid-walk is skipped; the one file asked for is not.
    if (request.startIsFile) throw error;
    return undefined;
  }
  if (read.size > MAX_GREP_FILE_BYTES || read.bytes.includes(0)) return undefined;
  return read.bytes.toString('utf8');
}

/** Searches the workspace files of a request line by line; binary and very large files are skipped, as `grep -I` does. */
export async function grepFiles(request: GrepRequest): Promise<GrepResult> {
  const regex = compileGrepPattern(request.pattern);
  const isMatch = request.glob === undefined ? () => true : picomatch(request.glob, { dot: true });
  const candidates = request.startIsFile
    ? [relative(request.root, request.start)]
    : (await walkFiles(request.root, request.start, MAX_CANDIDATES)).files;
  const matches: GrepResult['matches'] = [];
  const files = candidates.filter((file) => isMatch(file));
  // Files are read a batch at a time (the reads overlap) and matched in order.
  for (let offset = 0; offset < files.length; offset += READ_BATCH) {
    const batch = files.slice(offset, offset + READ_BATCH);
    const texts = await Promise.all(batch.map((file) => readText(request, file)));
    for (const [position, text] of texts.entries()) {
      if (text === undefined) continue;
      const path = batch[position] as string;
      for (const [index, line] of text.split('\n').entries()) {
        if (!regex.test(line)) continue;
        matches.push({ path, line: index + 1, text: line.slice(0, MAX_LINE_CHARS) });
        if (matches.length >= MAX_MATCHES) return { matches, truncated: true };
      }
    }
  }
  return { matches, truncated: false };
}
