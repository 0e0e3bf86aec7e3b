import type { Tx } from '../core/engine.js';
import type { Envelope } from '../core/envelope.js';
import { CommandRejection, FactlineError } from '../core/errors.js';
import type { CommandDataOf, CommandDefinition } from '../core/command.js';
import { scopeStorage } from '../publish/scope.js';
import type { CommitStep, EffectContext, EffectHandler, Handler, HandlerContext } from '../consumer/handler.js';
import type { EventDefinition } from '../core/event.js';
import { CommandRejected } from './command-rejected.js';

/** A command's store handler: runs in the transaction that commits its decision and inbox row. */
export type CommandHandler<C extends CommandDefinition, Db = unknown> = (command: Envelope<CommandDataOf<C>>, ctx: HandlerContext<Db>) => Promise<void> | void;

/** A command's effect handler: runs with no transaction open; may return a commit step. */
export type CommandEffectHandler<C extends CommandDefinition, Db = unknown> = (
  command: Envelope<CommandDataOf<C>>,
  ctx: EffectContext,
) => Promise<CommitStep<Db> | void> | CommitStep<Db> | void;

const isRejection = (err: unknown): err is CommandRejection =>
  err instanceof CommandRejection || (err instanceof FactlineError && err.code === 'COMMAND_REJECTED' && typeof (err as CommandRejection).reason === 'string');

function scopeTx(command: Envelope): Tx<unknown> {
  const scope = scopeStorage.getStore();
  if (!scope || scope.closed) throw new FactlineError('TRANSACTION_ENDED', `the handler of command ${command.type} ended before its outcome could be recorded`);
  return scope.tx;
}

/** Records the acceptance in the handler's transaction. */
async function accept(command: Envelope, group: string): Promise<void> {
  await scopeTx(command).decideCommand({ id: command.id, source: command.source, status: 'accepted', group, at: Date.now() });
}

/** Records the rejection and publishes CommandRejected, in the handler's transaction. */
async function reject(command: Envelope, ctx: HandlerContext<unknown>, reason: string): Promise<void> {
  await scopeTx(command).decideCommand({ id: command.id, source: command.source, status: 'rejected', reason, group: ctx.group, at: Date.now() });
  await ctx.publish(CommandRejected, { commandId: command.id, commandType: command.type, target: command.subject, key: command.partitionkey, reason });
}

/** The store handler the consumer runtime runs for a command handler. */
export function storeCommandHandler<Db>(handler: CommandHandler<CommandDefinition, Db>): Handler<EventDefinition, Db> {
  return async (command, ctx) => {
    try {
      await handler(command as Envelope<never>, ctx);
    } catch (err) {
      if (!isRejection(err)) throw err;
      await reject(command, ctx as HandlerContext<unknown>, err.reason);
      return;
    }
    await accept(command, ctx.group);
  };
}

/** The effect handler the consumer runtime runs for a command effect handler. */
export function effectCommandHandler<Db>(handler: CommandEffectHandler<CommandDefinition, Db>): EffectHandler<EventDefinition, Db> {
  return async (command, ectx) => {
    let step: CommitStep<Db> | void;
    try {
      step = await handler(command as Envelope<never>, ectx);
    } catch (err) {
      if (!isRejection(err)) throw err;
      const reason = err.reason;
      return (ctx) => reject(command, ctx as HandlerContext<unknown>, reason);
    }
    if (step !== undefined && typeof step !== 'function') return step; // the runtime reports it
    return async (ctx) => {
      try {
        if (step) await step(ctx);
      } catch (err) {
        if (!isRejection(err)) throw err;
        await reject(command, ctx as HandlerContext<unknown>, err.reason);
        return;
      }
      await accept(command, ctx.group);
    };
  };
}
