import { emit, requireNonEmpty, str, withStore, type Command } from './command-kit.js';
import { confirm } from './confirm.js';
import { describeTarget, groupsList, parsePartitions, parseRewindTarget, renderGroups, renderRewind } from './groups.js';
import { renderTrace, traceExitCode } from './trace.js';

/** Commands about flows and groups: trace, groups list, groups rewind. */
export const FLOW_COMMANDS: readonly Command[] = [
  {
    path: ['trace'],
    args: [{ name: 'query', required: true }],
    summary: 'did it go through? every event of a flow (event id, correlation id or subject) and each group\'s outcome',
    details: 'The query is tried as an event id (its flow is its correlation), then as a correlation id, then as a\n'
      + 'subject (the flows of the events about it). Exit code 0: complete, 3: in progress, 4: stuck, 1: nothing matched.',
    options: {},
    run: (v, [query], io) =>
      withStore(v, async ({ engine }) => {
        const trace = await engine.admin.trace(query!);
        // Commands of the flow carry their decision: accepted, rejected with its reason, or pending.
        const commands = new Map((await engine.admin.commands({ ids: trace.events.map((e) => e.id) })).map((c) => [c.id, c]));
        emit(io, { ...trace, commands: [...commands.values()] }, renderTrace(trace, Date.now(), commands));
        return traceExitCode(trace);
      }),
  },
  {
    path: ['groups', 'list'],
    args: [],
    summary: 'every consumer group: what it handles, its members, lag, parked events and open dead letters',
    options: {},
    run: (v, _a, io) =>
      withStore(v, async ({ engine }) => {
        const groups = await groupsList(engine);
        emit(io, groups, renderGroups(groups, Date.now()));
      }),
  },
  {
    path: ['groups', 'rewind'],
    args: [{ name: 'group', required: true }],
    summary: 'make a group handle the log again from --to <beginning | sequence | time> (asks first)',
    details: 'In one transaction per call: the group\'s position moves back, its inbox and parked rows of the events\n'
      + 'from there on are deleted, and its members stop and resume at the new position; safe while they run.\n'
      + 'Its handlers run again for those events (effect handlers call the outside world again). Other groups\n'
      + 'are not touched. Without --yes it asks on a terminal, and is refused when stdin is not a terminal.',
    options: {
      to: { type: 'string', placeholder: 'beginning|sequence|time', description: 'where to rewind to: beginning, a sequence (each partition), or an RFC 3339 time' },
      partition: { type: 'string', placeholder: 'p[,p...]', description: 'only these partitions (default all)' },
      yes: { type: 'boolean', description: 'do not ask (needed when stdin is not a terminal)' },
    },
    run: async (v, [group], io) => {
      const to = parseRewindTarget(requireNonEmpty(v, 'to', 'beginning, a sequence or a time'));
      const partitions = parsePartitions(str(v, 'partition'));
      await confirm(`rewind group ${group} to ${describeTarget(to)}: its handlers run again for every event from there on`, group!, v.yes === true);
      await withStore(v, async ({ engine }) => {
        const result = await engine.admin.rewindGroup(group!, to, partitions ? { partitions } : {});
        emit(io, result, renderRewind(result, to));
      });
    },
  },
];
