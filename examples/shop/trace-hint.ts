import type { Engine } from 'factline';

/**
 * Two orders of this run to ask `factline trace` about: one whose flow is complete, one stuck
 * in fraud (a dead letter there). Each is an index lookup on the log.
 */
export async function traceExamples(engine: Engine<unknown>, orderIds: readonly string[]): Promise<{ complete?: string; stuck?: string }> {
  const out: { complete?: string; stuck?: string } = {};
  const [dead] = await engine.admin.listDeadLetters({ group: 'fraud', status: 'open', limit: 1 });
  if (dead && (await engine.admin.trace(dead.subject)).verdict.state === 'stuck') out.stuck = dead.subject;
  for (const id of orderIds.slice(0, 30)) {
    if ((await engine.admin.trace(id)).verdict.state === 'complete') {
      out.complete = id;
      break;
    }
  }
  return out;
}
