import { emit, withStore, type Command } from './command-kit.js';
import { renderTrace, traceExitCode } from './trace.js';

/** Commands about flows and groups: trace. */
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
        emit(io, trace, renderTrace(trace, Date.now()));
        return traceExitCode(trace);
      }),
  },
];
