import type { Engine, HandlerSpec } from '../core/engine.js';
import { CommandHandlerConflictError } from '../core/errors.js';
import type { ConsumerGroup } from '../consumer/consumer-group.js';

/**
 * How recently another group must have declared a command for its declaration to count while it
 * holds no lease: covers groups starting at the same moment (each declares before it checks, so
 * the later of two always sees the earlier one).
 */
export const RECENT_DECLARATION_MS = 60_000;

/**
 * Declares the command handlers of this app's groups and refuses (CommandHandlerConflictError)
 * when another group handles one of the same command types: a group that holds leases now, or
 * one that declared the type first and was started in the last RECENT_DECLARATION_MS. A group
 * refused here never takes a lease and declared later, so it does not block the first group's
 * restarts; a group that stopped (no lease, not started recently) does not count, so a handler can
 * move to another group once the old one is stopped.
 */
export async function checkSingleHandlers(
  engine: Engine, groups: readonly { group: ConsumerGroup<unknown>; member: string }[], now: number,
): Promise<void> {
  const mine = new Map<string, string>(); // command type -> group of this app
  for (const { group, member } of groups) {
    const specs: HandlerSpec[] = [];
    for (const [type, versions] of group.handlers) {
      for (const [version, r] of versions) if (r.command) specs.push({ type, version, kind: 'command' });
    }
    if (specs.length === 0) continue;
    await engine.declareHandlers(group.name, member, specs);
    for (const s of specs) mine.set(`${group.name}\u0000${s.type}`, s.type);
  }
  if (mine.size === 0) return;
  const [declarations, status] = await Promise.all([engine.admin.handlers(), engine.admin.status()]);
  const live = new Set(status.filter((s) => s.owner !== undefined).map((s) => s.group));
  for (const [groupAndType, type] of mine) {
    const group = groupAndType.slice(0, groupAndType.indexOf('\u0000'));
    const own = declarations.filter((d) => d.kind === 'command' && d.type === type && d.group === group);
    const since = Math.min(...own.map((d) => d.declaredAt));
    const others = [...new Set(
      declarations
        .filter((d) => d.kind === 'command' && d.type === type && d.group !== group)
        .filter((d) => live.has(d.group) || (d.declaredAt <= since && d.seenAt >= now - RECENT_DECLARATION_MS))
        .map((d) => d.group),
    )];
    if (others.length > 0) throw new CommandHandlerConflictError(type, group, others);
  }
}
