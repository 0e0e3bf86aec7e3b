/** The workflow throughput table (Factline systems only). */
import type { SystemReport } from '../results.js';
import type { BenchSettings } from '../settings.js';
import { renderTable } from '../table.js';

export function renderWorkflow(reports: SystemReport[], s: BenchSettings): string {
  const rows = reports.filter((r) => r.applies?.includes('workflow')).map((r) => {
    const o = r.results.workflow;
    if (!o) return [r.name, r.unavailable ?? 'not run', '', '', ''];
    if (!o.ok) return [r.name, o.error, '', '', ''];
    const v = o.value;
    return [r.name, Math.round(v.perSec).toLocaleString('en-US'), Math.round(v.transitionsPerSec).toLocaleString('en-US'), `${(v.elapsedMs / 1000).toFixed(1)} s`, v.complete ? 'yes' : 'NO'];
  });
  return `Workflow throughput: ${s.workflowInstances} instances, each through four transitions (start event to terminal state)\n${renderTable(['system', 'instances/s', 'transitions/s', 'elapsed', 'complete'], rows)}`;
}
