import { userInfo } from 'node:os';
import type { DeadLetterRecord, DeadLetterStatus, Engine } from '../core/engine.js';
import { FactlineError } from '../core/errors.js';
import { age, iso, table, truncate } from './format.js';
import { UsageError } from './usage-error.js';

/** A dead letter as the CLI shows it: the stored envelope parsed. */
export interface DeadLetterView extends Omit<DeadLetterRecord, 'body'> {
  readonly event: unknown;
}

export function viewOf(dl: DeadLetterRecord): DeadLetterView {
  const { body, ...rest } = dl;
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    event = body;
  }
  return { ...rest, event };
}

const STATUSES: readonly DeadLetterStatus[] = ['open', 'replayed', 'discarded'];

export function parseStatus(value: string | undefined): DeadLetterStatus | undefined {
  if (value === undefined) return undefined;
  if (!STATUSES.includes(value as DeadLetterStatus)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got "${value}"`);
  }
  return value as DeadLetterStatus;
}

/** Who did it, when not given: the OS user. */
export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export interface ListFilter {
  readonly group?: string | undefined;
  readonly type?: string | undefined;
  readonly subject?: string | undefined;
  readonly status?: DeadLetterStatus | undefined;
}

export async function listDeadLetters(engine: Engine, f: ListFilter): Promise<DeadLetterRecord[]> {
  return engine.admin.listDeadLetters({
    ...(f.group ? { group: f.group } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.subject ? { subject: f.subject } : {}),
    ...(f.status ? { status: f.status } : {}),
    limit: 100_000,
  });
}

export function renderList(list: readonly DeadLetterRecord[], now: number): string {
  if (list.length === 0) return 'no dead letters match';
  const rows = list.map((d) => [
    d.id, d.group, d.eventType, d.subject, d.status, String(d.errors.length), age(d.createdAt, now), truncate(d.reason, 60),
  ]);
  const open = list.filter((d) => d.status === 'open').length;
  return `${table(['ID', 'GROUP', 'TYPE', 'SUBJECT', 'STATUS', 'ATTEMPTS', 'AGE', 'REASON'], rows)}\n\n${list.length} dead letter${list.length === 1 ? '' : 's'}, ${open} open`;
}

export async function getDeadLetter(engine: Engine, id: string): Promise<DeadLetterRecord> {
  const dl = await engine.admin.getDeadLetter(id);
  if (!dl) throw new FactlineError('NOT_FOUND', `no dead letter with id ${id}; list them with: factline dlq list`);
  return dl;
}

export function renderShow(dl: DeadLetterRecord, now: number): string {
  const lines = [
    `dead letter ${dl.id}`,
    `  group       ${dl.group}`,
    `  status      ${dl.status}${dl.resolvedAt !== undefined ? ` (${iso(dl.resolvedAt)} by ${dl.resolvedBy ?? '?'}: ${dl.resolution ?? ''})` : ''}`,
    `  created     ${iso(dl.createdAt)} (${age(dl.createdAt, now)} ago)`,
    `  reason      ${dl.reason}`,
    `  event       ${dl.eventType} ${dl.eventId} from ${dl.eventSource}`,
    `  subject     ${dl.subject} (key ${dl.key}, partition ${dl.partition}, sequence ${dl.sequence})`,
    `  strict      ${dl.strict ? 'yes: the key stays parked until this is replayed or discarded' : 'no: later events of the key went on'}`,
    '',
    `attempts (${dl.errors.length}):`,
  ];
  for (const e of dl.errors) {
    lines.push(`  #${e.attempt} at ${iso(e.at)}: ${e.message}`);
    if (e.stack) lines.push(...e.stack.split('\n').slice(1).map((l) => `      ${l.trim()}`));
  }
  if (dl.history.length > 0) {
    lines.push('', 'history:');
    for (const h of dl.history) lines.push(`  ${iso(h.at)} ${h.action} by ${h.by}: ${h.why}`);
  }
  lines.push('', 'event:');
  lines.push(...JSON.stringify(viewOf(dl).event, null, 2).split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

export interface ReplayOutcome {
  readonly replayed: DeadLetterRecord[];
  /** Open dead letters that another replay or discard resolved first. */
  readonly skipped: { readonly id: string; readonly error: string }[];
}

export async function replayOne(engine: Engine, id: string, by: string, why: string): Promise<DeadLetterRecord> {
  return engine.admin.replayDeadLetter(id, { by, why });
}

/** Replays every open dead letter of a group (optionally of one event type), oldest first. */
export async function replayGroup(engine: Engine, group: string, type: string | undefined, by: string, why: string): Promise<ReplayOutcome> {
  const open = await listDeadLetters(engine, { group, type, status: 'open' });
  const out: ReplayOutcome = { replayed: [], skipped: [] };
  for (const dl of open) {
    try {
      out.replayed.push(await engine.admin.replayDeadLetter(dl.id, { by, why }));
    } catch (err) {
      if (err instanceof FactlineError && err.code === 'ALREADY_RESOLVED') out.skipped.push({ id: dl.id, error: err.message });
      else throw err;
    }
  }
  return out;
}

export function renderResolved(dl: DeadLetterRecord): string {
  const verb = dl.status === 'replayed' ? 'replayed to group' : 'discarded from group';
  return `${verb} ${dl.group}: dead letter ${dl.id} (${dl.eventType} ${dl.subject}, event ${dl.eventId}) by ${dl.resolvedBy ?? '?'}: ${dl.resolution ?? ''}`;
}

export function renderGroupReplay(group: string, out: ReplayOutcome): string {
  if (out.replayed.length === 0 && out.skipped.length === 0) return `no open dead letters in group ${group}; nothing replayed`;
  const lines = out.replayed.map(renderResolved);
  for (const s of out.skipped) lines.push(`skipped ${s.id}: ${s.error}`);
  lines.push(`${out.replayed.length} replayed to group ${group} only; its members run them again in key order`);
  return lines.join('\n');
}

export async function discardOne(engine: Engine, id: string, by: string, why: string): Promise<DeadLetterRecord> {
  return engine.admin.discardDeadLetter(id, { by, why });
}
