import type { CommandDefinition, CommandDataOf, CommandInputOf } from '../core/command.js';
import type { Envelope } from '../core/envelope.js';
import type { DataOf, EventDefinition, InputOf } from '../core/event.js';
import { FactlineError } from '../core/errors.js';
import type { Logger } from '../observe/logger.js';
import type { PublishOptions } from '../publish/build-envelope.js';
import { mermaidOf } from './mermaid.js';

/** What a transition's `run` gets: the instance, and the transaction's writes and emits. */
export interface WorkflowStep<Data, Db = unknown> {
  readonly workflow: string;
  /** The instance key (the partition key of the events it reacts to). */
  readonly key: string;
  /** The state being left (the target state for the starting transition). */
  readonly state: string;
  /** The instance's data before this transition. */
  readonly data: Data;
  /** The transaction the transition commits in. */
  readonly db: Db;
  readonly log: Logger;
  /** Sends a command in the transition's transaction; recorded in the history and awaited in `workflow show`. */
  send<C extends CommandDefinition>(command: C, data: CommandInputOf<C>, options?: PublishOptions): Promise<Envelope<CommandDataOf<C>>>;
  /** Publishes an event in the transition's transaction; recorded in the history. */
  publish<D extends EventDefinition>(definition: D, data: InputOf<D>, options?: PublishOptions): Promise<Envelope<DataOf<D>>>;
}

/**
 * A transition's store work: it runs inside the transaction that commits the transition (store
 * work only, no outside calls), and returns the instance's new data, or nothing to keep it.
 */
export type TransitionRun<Data, E, Db = unknown> = (event: Envelope<E>, step: WorkflowStep<Data, Db>) => Data | void | Promise<Data | void>;

export interface TransitionSpec<Data, E, Db = unknown> {
  /** The next state. */
  readonly to: string;
  /** Chooses this transition only when true (several transitions of one event in a state: the first that passes). */
  readonly if?: (event: Envelope<E>, data: Data) => boolean;
  /** Names the condition in the diagram and the history. */
  readonly label?: string;
  readonly run?: TransitionRun<Data, E, Db>;
}

/** A reaction of a state: to an event, to the rejection of a command, or to a timer. */
export interface Reaction {
  readonly kind: 'event' | 'rejected' | 'timer';
  /** The event type (`event`), the command type (`rejected`), or the timer's name (`timer`). */
  readonly on: string;
  readonly definition?: EventDefinition;
  readonly afterMs?: number;
  readonly to: string;
  readonly if?: (event: Envelope<unknown>, data: unknown) => boolean;
  readonly label?: string;
  readonly run?: TransitionRun<unknown, unknown, unknown>;
}

export interface StartSpec<Data, E, Db = unknown> {
  /** The first state. */
  readonly to: string;
  /** The new instance's data, from the starting event. */
  readonly data: (event: Envelope<E>) => Data;
  readonly run?: TransitionRun<Data, E, Db>;
}

export interface StateSpec {
  /** Reactions to events and command rejections (`w.on`, `w.rejected`). */
  readonly on?: readonly Reaction[];
  /** Timers set on entering the state and cancelled on leaving it (`w.after`). */
  readonly timers?: readonly Reaction[];
  /** The instance ends here: a terminal state has no reactions and no timers. */
  readonly terminal?: boolean;
}

/** The typed helpers a definition is written with. */
export interface WorkflowBuilder<Data, Db = unknown> {
  start<D extends EventDefinition>(event: D, spec: StartSpec<Data, DataOf<D>, Db>): { readonly definition: EventDefinition; readonly spec: StartSpec<Data, unknown, Db> };
  on<D extends EventDefinition>(event: D, spec: TransitionSpec<Data, DataOf<D>, Db>): Reaction;
  /** Reacts to the rejection of a command of this type (sent by anyone for the instance's key). */
  rejected<C extends CommandDefinition>(command: C, spec: TransitionSpec<Data, { commandId: string; commandType: string; target: string; key: string; reason: string }, Db>): Reaction;
  /** A timer: `afterMs` after entering the state, unless the state was left, it fires this transition. */
  after(name: string, afterMs: number, spec: Omit<TransitionSpec<Data, unknown, Db>, 'if'>): Reaction;
}

export interface WorkflowShape<Data, Db = unknown> {
  readonly start: ReturnType<WorkflowBuilder<Data, Db>['start']>;
  readonly states: Readonly<Record<string, StateSpec>>;
}

/** A workflow: a state machine over the log, run by `app.workflow(definition)`. */
export interface WorkflowDefinition<Data = unknown> {
  readonly kind: 'workflow';
  readonly name: string;
  readonly startEvent: EventDefinition;
  readonly start: StartSpec<Data, unknown, unknown>;
  readonly states: Readonly<Record<string, StateSpec>>;
  readonly initial: string;
  readonly terminal: readonly string[];
  /** The state machine as a Mermaid `stateDiagram-v2`. */
  mermaid(): string;
}

const NAME = /^[a-z0-9]+([.-][a-z0-9]+)*$/;
const STATE = /^[A-Za-z][A-Za-z0-9_]*$/;

function builder<Data, Db>(): WorkflowBuilder<Data, Db> {
  return {
    start: (definition, spec) => ({ definition, spec: spec as StartSpec<Data, unknown, Db> }),
    on: (definition, spec) => ({ kind: 'event', on: definition.type, definition, ...(spec as object), to: spec.to } as Reaction),
    rejected: (command, spec) => ({ kind: 'rejected', on: command.type, ...(spec as object), to: spec.to } as Reaction),
    after: (name, afterMs, spec) => ({ kind: 'timer', on: name, afterMs, ...(spec as object), to: spec.to } as Reaction),
  };
}

/**
 * Defines a workflow: its name, the event that starts an instance (keyed by that event's
 * partition key), its states and, per state, the events it reacts to, its timers and the next
 * state. Checked here: unknown target states, a terminal state with reactions, a state nobody
 * reaches is allowed but listed by `mermaid()` alone. Throws INVALID_DEFINITION.
 */
export function defineWorkflow<Data, Db = unknown>(name: string, build: (w: WorkflowBuilder<Data, Db>) => WorkflowShape<Data, Db>): WorkflowDefinition<Data> {
  const bad = (why: string) => new FactlineError('INVALID_DEFINITION', `workflow ${name}: ${why}`);
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 100) throw new FactlineError('INVALID_DEFINITION', `workflow name "${String(name)}" must be lower-case words joined by dots or dashes, like order or shop.order`);
  const shape = build(builder<Data, Db>());
  const states = shape.states;
  const names = Object.keys(states);
  if (names.length === 0) throw bad('it needs states');
  for (const s of names) if (!STATE.test(s)) throw bad(`state name "${s}" must start with a letter and hold only letters, digits and _`);
  const known = (to: string, where: string) => {
    if (!Object.hasOwn(states, to)) throw bad(`${where} goes to "${to}", which is not one of its states (${names.join(', ')})`);
  };
  known(shape.start.spec.to, 'the start');
  const terminal = names.filter((s) => states[s]!.terminal);
  if (terminal.length === 0) throw bad('it needs at least one terminal state (terminal: true)');
  for (const s of names) {
    const st = states[s]!;
    if (st.terminal && ((st.on?.length ?? 0) > 0 || (st.timers?.length ?? 0) > 0)) throw bad(`terminal state ${s} cannot have reactions or timers`);
    for (const r of st.on ?? []) {
      if (r.kind === 'timer') throw bad(`state ${s}: a timer (w.after) goes in timers, not in on`);
      known(r.to, `state ${s} on ${r.on}`);
    }
    const timerNames = new Set<string>();
    for (const t of st.timers ?? []) {
      if (t.kind !== 'timer') throw bad(`state ${s}: timers holds only w.after(...)`);
      if (!Number.isFinite(t.afterMs) || t.afterMs! < 0) throw bad(`state ${s}: timer ${t.on} needs afterMs of 0 or more`);
      if (timerNames.has(t.on)) throw bad(`state ${s}: two timers named ${t.on}`);
      timerNames.add(t.on);
      known(t.to, `state ${s} timer ${t.on}`);
    }
  }
  const definition: WorkflowDefinition<Data> = {
    kind: 'workflow',
    name,
    startEvent: shape.start.definition,
    start: shape.start.spec as StartSpec<Data, unknown, unknown>,
    states,
    initial: shape.start.spec.to,
    terminal,
    mermaid: () => mermaidOf(definition as WorkflowDefinition<unknown>),
  };
  return definition;
}
