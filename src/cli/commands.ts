import { FactlineError } from '../core/errors.js';
import { describeTarget, loadPostgres, resolveTarget, sqlitePartitions } from './connect.js';
import { emit, flags, requireNonEmpty, str, withStore, type Command, type Io, type OptionSpec, type Values } from './command-kit.js';
import { FLOW_COMMANDS } from './flow-commands.js';
import {
  defaultActor, discardOne, getDeadLetter, listDeadLetters, parseStatus, renderGroupReplay, renderList, renderResolved, renderShow, replayGroup, replayOne, viewOf,
} from './dlq.js';
import { renderEvent, showEvent, tail, tailLine } from './events.js';
import { lagReport, renderLag } from './lag.js';
import { listWorkflows, showWorkflow } from '../workflow/inspect.js';
import { renderWorkflowList, renderWorkflowShow } from './workflow.js';
import { UsageError } from './usage-error.js';
import { SCHEMA_COMMANDS } from './schema-commands.js';
import { PARKED_COMMAND } from './parked.js';

export type { Command, Io, OptionSpec, Values };

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', placeholder: 'file', description: 'SQLite log file (or env FACTLINE_DB)' },
  url: { type: 'string', placeholder: 'url', description: 'PostgreSQL connection string (or env FACTLINE_URL)' },
  schema: { type: 'string', placeholder: 'name', description: 'PostgreSQL schema of the log (default factline, or env FACTLINE_SCHEMA)' },
  json: { type: 'boolean', description: 'print JSON instead of a table' },
  help: { type: 'boolean', description: 'show help' },
};

export const COMMANDS: readonly Command[] = [
  {
    path: ['dlq', 'list'],
    args: [],
    summary: 'list dead letters (all statuses unless --status)',
    options: {
      group: { type: 'string', placeholder: 'group', description: 'only this consumer group' },
      type: { type: 'string', placeholder: 'type', description: 'only this event type' },
      subject: { type: 'string', placeholder: 'subject', description: 'only dead letters of events about this subject' },
      status: { type: 'string', placeholder: 'open|replayed|discarded', description: 'only this status' },
    },
    run: (v, _a, io) => {
      const status = parseStatus(str(v, 'status'));
      return withStore(v, async ({ engine }) => {
        const list = await listDeadLetters(engine, { group: str(v, 'group'), type: str(v, 'type'), subject: str(v, 'subject'), status });
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
    path: ['workflow', 'list'],
    args: [],
    summary: 'workflow instances per state, and the instances (most recently changed first)',
    details: 'An instance is stuck when its next timer is overdue by more than --stuck-after, or, with no timer\n'
      + 'pending, when its last transition is older than that: it waits for an event that does not come.',
    options: {
      name: { type: 'string', placeholder: 'workflow', description: 'only this workflow' },
      state: { type: 'string', placeholder: 'state', description: 'only instances in this state' },
      stuck: { type: 'boolean', description: 'only running instances that look stuck' },
      'stuck-after': { type: 'string', placeholder: 'ms', description: 'how long counts as stuck (default 300000, 5 minutes)' },
      limit: { type: 'string', placeholder: 'n', description: 'at most this many instances (default 100)' },
    },
    run: (v, _a, io) => {
      const number = (name: string) => {
        const text = str(v, name);
        if (text === undefined) return undefined;
        const n = Number(text);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} needs a whole number, got ${text}`);
        return n;
      };
      const stuckAfterMs = number('stuck-after');
      const limit = number('limit');
      return withStore(v, async ({ engine }) => {
        const now = Date.now();
        const list = await listWorkflows(engine, {
          ...(str(v, 'name') !== undefined ? { name: str(v, 'name')! } : {}),
          ...(str(v, 'state') !== undefined ? { state: str(v, 'state')! } : {}),
          stuck: v.stuck === true,
          ...(stuckAfterMs !== undefined ? { stuckAfterMs } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }, now);
        emit(io, list, renderWorkflowList(list, now, v.stuck === true));
      });
    },
  },
  {
    path: ['workflow', 'show'],
    args: [{ name: 'name', required: true }, { name: 'key', required: true }],
    summary: 'one workflow instance: its state, every transition with its time and cause, pending timers, commands awaiting outcomes',
    options: {},
    run: (v, [name, key], io) =>
      withStore(v, async ({ engine }) => {
        const now = Date.now();
        const view = await showWorkflow(engine, name!, key!, now);
        emit(io, view, renderWorkflowShow(view, now));
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
  {
    path: ['dashboard'],
    args: [],
    summary: 'serve the web dashboard (overview, dead letters, flow, log) until Ctrl-C',
    details: 'Listens on 127.0.0.1 unless --host says otherwise. Read-only unless a token is given (--token or\n'
      + 'FACTLINE_DASHBOARD_TOKEN): replay and discard then need it, as Authorization: Bearer <token>.',
    options: {
      port: { type: 'string', placeholder: 'port', description: 'port to listen on (default 4100; 0 picks a free one)' },
      host: { type: 'string', placeholder: 'host', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 exposes it to the network)' },
      token: { type: 'string', placeholder: 'token', description: 'allow replay and discard with this token (or env FACTLINE_DASHBOARD_TOKEN)' },
    },
    run: async (v, _a, io) => {
      const port = str(v, 'port') ?? '4100';
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${port}"`);
      const host = requireNonEmpty(v, 'host', 'an address');
      const token = str(v, 'token') ?? (process.env.FACTLINE_DASHBOARD_TOKEN || undefined);
      if (token !== undefined && token.length < 8) throw new UsageError('the dashboard token must have at least 8 characters');
      // Loaded only for this command: the other commands never load the HTTP server.
      const { runDashboard } = await import('./dashboard.js');
      await withStore(v, ({ engine, target }) => runDashboard(engine, target, { port: Number(port), host, token }, io));
    },
  },
  ...FLOW_COMMANDS,
  PARKED_COMMAND,
  ...SCHEMA_COMMANDS,
];
