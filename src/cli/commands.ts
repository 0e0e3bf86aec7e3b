import { FactlineError } from '../core/errors.js';
import { describeTarget, loadPostgres, openStore, resolveTarget, sqlitePartitions, type OpenStore, type TargetFlags } from './connect.js';
import {
  defaultActor, discardOne, getDeadLetter, listDeadLetters, parseStatus, renderGroupReplay, renderList, renderResolved, renderShow, replayGroup, replayOne, viewOf,
} from './dlq.js';
import { renderEvent, showEvent, tail, tailLine } from './events.js';
import { lagReport, renderLag } from './lag.js';
import { UsageError } from './usage-error.js';
import { SCHEMA_COMMANDS } from './schema-commands.js';

export type OptionSpec = { readonly type: 'string' | 'boolean'; readonly description: string; readonly placeholder?: string };
export type Values = Record<string, string | boolean | undefined>;

/** Where a command writes: stdout for results, and a flag for machine-readable output. */
export interface Io {
  out(text: string): void;
  readonly json: boolean;
}

export interface Command {
  readonly path: readonly string[];
  readonly args: readonly { readonly name: string; readonly required: boolean }[];
  readonly summary: string;
  readonly details?: string;
  readonly options: Record<string, OptionSpec>;
  /** Resolves to the exit code when it is not 0 (e.g. 1: breaking changes found). */
  run(values: Values, args: readonly string[], io: Io): Promise<void | number>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', placeholder: 'file', description: 'SQLite log file (or env FACTLINE_DB)' },
  url: { type: 'string', placeholder: 'url', description: 'PostgreSQL connection string (or env FACTLINE_URL)' },
  schema: { type: 'string', placeholder: 'name', description: 'PostgreSQL schema of the log (default factline, or env FACTLINE_SCHEMA)' },
  json: { type: 'boolean', description: 'print JSON instead of a table' },
  help: { type: 'boolean', description: 'show help' },
};

const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);

function flags(v: Values): TargetFlags {
  return { db: str(v, 'db'), url: str(v, 'url'), schema: str(v, 'schema') };
}

/** Opens the log, runs `fn`, and closes the log whatever happens. */
async function withStore<T>(v: Values, fn: (store: OpenStore) => Promise<T>): Promise<T> {
  const store = await openStore(resolveTarget(flags(v)));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function emit(io: Io, data: unknown, text: string): void {
  io.out(io.json ? JSON.stringify(data, null, 2) : text);
}

function requireNonEmpty(v: Values, name: string, what: string): string | undefined {
  const value = str(v, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs ${what}`);
  return value;
}

export const COMMANDS: readonly Command[] = [
  {
    path: ['dlq', 'list'],
    args: [],
    summary: 'list dead letters (all statuses unless --status)',
    options: {
      group: { type: 'string', placeholder: 'group', description: 'only this consumer group' },
      type: { type: 'string', placeholder: 'type', description: 'only this event type' },
      status: { type: 'string', placeholder: 'open|replayed|discarded', description: 'only this status' },
    },
    run: (v, _a, io) => {
      const status = parseStatus(str(v, 'status'));
      return withStore(v, async ({ engine }) => {
        const list = await listDeadLetters(engine, { group: str(v, 'group'), type: str(v, 'type'), status });
        emit(io, list.map(viewOf), renderList(list, Date.now()));
      });
    },
  },
  {
    path: ['dlq', 'show'],
    args: [{ name: 'id', required: true }],
    summary: 'show one dead letter: the event, every attempt\'s error and stack, its status and history',
    options: {},
    run: (v, [id], io) =>
      withStore(v, async ({ engine }) => {
        const dl = await getDeadLetter(engine, id!);
        emit(io, viewOf(dl), renderShow(dl, Date.now()));
      }),
  },
  {
    path: ['dlq', 'replay'],
    args: [{ name: 'id', required: false }],
    summary: 'send a dead letter (or every open one of --group) back to its group only',
    details: 'The event runs again in the order of its key, in that consumer group only; other groups are not\n'
      + 'touched. Replaying a dead letter that is no longer open changes nothing and fails.',
    options: {
      group: { type: 'string', placeholder: 'group', description: 'replay every open dead letter of this group (instead of <id>)' },
      type: { type: 'string', placeholder: 'type', description: 'with --group: only dead letters of this event type' },
      by: { type: 'string', placeholder: 'who', description: 'recorded as who replayed (default: the OS user)' },
      reason: { type: 'string', placeholder: 'why', description: 'recorded as why (e.g. the fix that was deployed)' },
    },
    run: async (v, [id], io) => {
      const group = requireNonEmpty(v, 'group', 'a consumer group name');
      if (id !== undefined && group !== undefined) throw new UsageError('dlq replay takes either <id> or --group <group>, not both');
      if (id === undefined && group === undefined) throw new UsageError('dlq replay needs a dead letter <id> or --group <group>');
      if (id !== undefined && str(v, 'type') !== undefined) throw new UsageError('--type goes with --group, not with a dead letter id');
      const by = requireNonEmpty(v, 'by', 'a name') ?? defaultActor();
      const why = str(v, 'reason') ?? 'replayed with factline dlq replay';
      await withStore(v, async ({ engine }) => {
        if (id !== undefined) {
          const dl = await replayOne(engine, id, by, why);
          emit(io, viewOf(dl), renderResolved(dl));
        } else {
          const out = await replayGroup(engine, group!, str(v, 'type'), by, why);
          emit(io, { replayed: out.replayed.map(viewOf), skipped: out.skipped }, renderGroupReplay(group!, out));
        }
      });
    },
  },
  {
    path: ['dlq', 'discard'],
    args: [{ name: 'id', required: true }],
    summary: 'close a dead letter without running it (a reason is required)',
    options: {
      reason: { type: 'string', placeholder: 'why', description: 'why it is dropped (required)' },
      by: { type: 'string', placeholder: 'who', description: 'recorded as who discarded (default: the OS user)' },
    },
    run: async (v, [id], io) => {
      const why = requireNonEmpty(v, 'reason', 'a reason');
      if (why === undefined) throw new UsageError('dlq discard needs --reason <why>: a discarded event is never handled, say why');
      const by = requireNonEmpty(v, 'by', 'a name') ?? defaultActor();
      await withStore(v, async ({ engine }) => {
        const dl = await discardOne(engine, id!, by, why);
        emit(io, viewOf(dl), renderResolved(dl));
      });
    },
  },
  {
    path: ['lag'],
    args: [],
    summary: 'position, head and lag of every group and partition, and each group\'s open dead letters',
    options: {
      group: { type: 'string', placeholder: 'group', description: 'only this consumer group' },
      all: { type: 'boolean', description: 'list every partition, not only those behind' },
    },
    run: (v, _a, io) =>
      withStore(v, async ({ engine }) => {
        const report = await lagReport(engine, Date.now(), str(v, 'group'));
        emit(io, report, renderLag(report, v.all === true));
      }),
  },
  {
    path: ['tail'],
    args: [],
    summary: 'follow the log: one line per new event (Ctrl-C stops)',
    options: {
      type: { type: 'string', placeholder: 'type', description: 'only events of this type' },
      subject: { type: 'string', placeholder: 'subject', description: 'only events about this subject' },
      'from-beginning': { type: 'boolean', description: 'start at the first stored event instead of the head' },
    },
    run: (v, _a, io) =>
      withStore(v, async ({ engine, partitions, target }) => {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        if (!io.json) process.stderr.write(`following ${describeTarget(target)} (${partitions} partitions); Ctrl-C stops\n`);
        try {
          await tail(engine, partitions, {
            type: str(v, 'type'), subject: str(v, 'subject'), fromBeginning: v['from-beginning'] === true, pollMs: 200,
          }, (e) => io.out(io.json ? JSON.stringify(e) : tailLine(e)), stop.signal);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
  },
  {
    path: ['events', 'show'],
    args: [{ name: 'id', required: true }],
    summary: 'show a stored event by id: its partition, sequence and envelope',
    options: {},
    run: (v, [id], io) =>
      withStore(v, async ({ engine }) => {
        const e = await showEvent(engine, id!);
        emit(io, e, renderEvent(e));
      }),
  },
  {
    path: ['migrate'],
    args: [],
    summary: 'create or upgrade the log\'s tables (PostgreSQL; SQLite logs migrate when opened)',
    options: {},
    run: async (v, _a, io) => {
      const target = resolveTarget(flags(v));
      if (target.kind === 'sqlite') {
        const partitions = sqlitePartitions(target.file);
        emit(io, { kind: 'sqlite', file: target.file, partitions, migrated: false },
          `${target.file}: SQLite logs are created and migrated when an app opens them; nothing to do (${partitions} partitions)`);
        return;
      }
      const mod = await loadPostgres();
      try {
        await mod.migrate({ connectionString: target.url, schema: target.schema });
      } catch (err) {
        if (err instanceof FactlineError) throw err;
        throw new FactlineError('MIGRATE_FAILED', `migrating ${describeTarget(target)} failed: ${(err as Error).message}`, { cause: err });
      }
      emit(io, { kind: 'postgres', schema: target.schema, migrated: true }, `migrated ${describeTarget(target)}`);
    },
  },
  ...SCHEMA_COMMANDS,
];
