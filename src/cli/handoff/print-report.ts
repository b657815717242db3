import type { Writable } from 'node:stream';
import type { DisclosureReport } from '../../handoff/disclosure.js';
import { formatTable } from '../format.js';

/** The disclosure report of `baton handoff --dry-run` as tables. */
export function printReport(report: DisclosureReport, out: Writable): void {
  const write = (text = '') => out.write(`${text}\n`);
  write(`decision: ${report.decision}`);
  for (const reason of report.reasons) write(`  - ${reason}`);
  write(`pool: ${report.pool}   agent: ${report.agent}   base: ${report.baseRef} (${report.branch})`);
  write(
    `hosts: ${report.hosts.join(', ') || 'none (no network)'}   secrets: ${report.secrets.join(', ') || 'none'}`,
  );
  write(
    `budget: ${report.budget.maxCostUsd === null ? 'no cap' : `$${report.budget.maxCostUsd}`}, ${report.budget.timeoutMs} ms`,
  );
  write(`bundle: ${report.blobs.length} blobs, ${report.bundleBytes} bytes`);
  write();
  if (report.disclosure === 'full') {
    write(
      formatTable(
        ['FILE', 'BYTES', 'SHA256', 'WHY'],
        report.files.map((file) => [file.path, String(file.bytes), file.hash?.slice(0, 12) ?? '-', file.why]),
      ),
    );
  } else write(`files: ${report.fileCount} (disclosure: summary)`);
  write();
  write(
    formatTable(
      ['DENIED', 'REASON', 'WHY'],
      report.denied.map((file) => [file.path, file.reason, file.why]),
    ),
  );
}
