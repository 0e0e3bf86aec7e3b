import type { EngineAdmin } from '../core/engine.js';
import { FactlineError, OutcomeTimeoutError } from '../core/errors.js';

/**
 * A command's outcome: its handler accepted it, rejected it with a reason, or failed on it until
 * it became a dead letter of the handler's group (`dead-letter`, with the dead letter's id).
 */
export type CommandOutcome =
  | { readonly status: 'accepted'; readonly group: string; readonly at: number }
  | { readonly status: 'rejected'; readonly reason: string; readonly group: string; readonly at: number }
  | { readonly status: 'dead-letter'; readonly group: string; readonly at: number; readonly deadLetterId: string; readonly reason: string };

/** The outcome of command `id` now: undefined while pending. Throws NOT_FOUND for an id never sent (or a cancelled scheduled one). */
export async function currentOutcome(admin: EngineAdmin, id: string): Promise<CommandOutcome | undefined> {
  const [c] = await admin.commands({ ids: [id] });
  if (!c) throw new FactlineError('NOT_FOUND', `no command with id ${id} was sent to this log`);
  if (c.status === 'accepted') return { status: 'accepted', group: c.group ?? '', at: c.decidedAt ?? 0 };
  if (c.status === 'rejected') return { status: 'rejected', reason: c.reason ?? '', group: c.group ?? '', at: c.decidedAt ?? 0 };
  const dead = (await admin.listDeadLetters({ type: c.type, status: 'open' })).find((d) => d.eventId === id && d.eventSource === c.source);
  if (dead) return { status: 'dead-letter', group: dead.group, at: dead.createdAt, deadLetterId: dead.id, reason: dead.reason };
  return undefined;
}

/** Polls until command `id` has an outcome; OutcomeTimeoutError after `timeoutMs`. */
export async function waitForOutcome(admin: () => EngineAdmin, id: string, timeoutMs: number, pollMs = 25): Promise<CommandOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await currentOutcome(admin(), id);
    if (outcome) return outcome;
    if (Date.now() >= deadline) throw new OutcomeTimeoutError(id, timeoutMs);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
