export { createFactline } from './app.js';
export { defineEvent } from './core/event.js';
export { defineCommand } from './core/command.js';
export { defineWorkflow } from './workflow/definition.js';
export { CommandRejected } from './command/command-rejected.js';
export { TimerFired } from './workflow/timer-fired.js';
export { listWorkflows, showWorkflow, isStuck, STUCK_AFTER_MS } from './workflow/inspect.js';
export { currentOutcome } from './command/outcome.js';
export {
  FactlineError, EventValidationError, NonRetryableError, RetryLaterError, HandlerTimeoutError, LeaseLostError,
  StoreMismatchError, NotRunningError, TransactionEndedError, StoreError, SchemaConflictError, VersionAheadError, CommandRejection,
  CommandHandlerConflictError, OutcomeTimeoutError,
} from './core/errors.js';
export { MODES as COMPATIBILITY_MODES } from './core/compatibility-mode.js';
export { compareSchemas, checkHistory } from './schema/compatibility.js';
export { jsonSchemaOf } from './schema/json-schema-of.js';
export { fingerprint } from './schema/fingerprint.js';
export { asyncApiDocument } from './schema/asyncapi.js';
export { catalogOf } from './schema/catalog.js';
export { LIMITS } from './publish/limits.js';
export { uuidv7 } from './core/ids.js';
export { partitionOf } from './core/partition.js';
export { systemClock } from './core/clock.js';
export { jsonLogger } from './observe/logger.js';
export { healthHandler } from './observe/health.js';
export { defaultRetryPolicy, backoffDelay } from './consumer/retry-policy.js';

export type { Factline, FactlineOptions, Transaction, PublishEntry } from './app.js';
export type { EventDefinition, EventSpec, DataOf, InputOf } from './core/event.js';
export type { Envelope, StoredEvent, NewEvent } from './core/envelope.js';
export type { FieldIssue } from './core/errors.js';
export type {
  Engine, Tx, ConsumeTx, Lease, Assignment, LogRecord, ParkedRecord, DeadLetterRecord, DeadLetterStatus, BatchCommit,
  EngineAdmin, DeadLetterFilter, Resolution, PartitionStatus, AttemptError, StartFrom, OpenOptions, OpenedLog, EventWindow, TimedRecord,
  SchemaRecord, SchemaProducer,
} from './core/engine.js';
export type { FlowTrace, FlowEvent, FlowOutcome, FlowVerdict, TraceOptions } from './core/trace.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export type { CompatibilityMode, JsonSchemaValue } from './core/compatibility-mode.js';
export type { SchemaBreak, RuleId } from './schema/breaks.js';
export type { SchemaVersion, CompareOptions } from './schema/compatibility.js';
export type { CatalogType, CatalogVersion } from './schema/catalog.js';
export type { Clock } from './core/clock.js';
export type { Logger } from './observe/logger.js';
export type { Health, GroupHealth } from './observe/health.js';
export type { TelemetryOptions } from './observe/load-telemetry.js';
export type { RewindTarget, RewindOptions, RewindResult, PartitionRewind } from './core/rewind.js';
export type { PublishOptions } from './publish/build-envelope.js';
export type { ConsumerGroup, ConsumerOptions } from './consumer/consumer-group.js';
export type { Handler, HandlerContext, HandlerOptions, EffectHandler, EffectContext, CommitStep } from './consumer/handler.js';
export type { RetryPolicy } from './consumer/retry-policy.js';
export type { DeadLetterHook, CommitInfo } from './consumer/settings.js';
export type { CommandDefinition, CommandSpec, CommandDataOf, CommandInputOf } from './core/command.js';
export type { CommandHandler, CommandEffectHandler } from './command/command-handler.js';
export type { CommandOutcome } from './command/outcome.js';
export type { ScheduleOptions, ScheduledDelivery } from './schedule/schedule-options.js';
export type {
  WorkflowDefinition, WorkflowBuilder, WorkflowShape, WorkflowStep, TransitionSpec, TransitionRun, StartSpec, StateSpec, Reaction,
} from './workflow/definition.js';
export type { WorkflowListFilter, WorkflowSummary, WorkflowView, SentCommand } from './workflow/inspect.js';
export type {
  ScheduledEvent, ScheduledRecord, ScheduledFilter, CommandRecord, CommandStatus, CommandDecision, CommandFilter, WorkflowInstanceRecord,
  WorkflowHistoryRecord, WorkflowTimerRecord, WorkflowFilter, WorkflowStateCount, EmittedRecord,
} from './core/process-store.js';
