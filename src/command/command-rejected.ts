import { defineEvent } from '../core/event.js';
import { stringFields, stringFieldsJsonSchema } from '../core/plain-schema.js';

/**
 * Published in the handler's transaction when a command is rejected, with the command's subject
 * and partition key, caused by the command: what a workflow reacts to (`w.rejected(...)`).
 */
export const CommandRejected = defineEvent({
  type: 'factline.command.rejected',
  version: 1,
  jsonSchema: stringFieldsJsonSchema(['commandId', 'commandType', 'target', 'key', 'reason']),
  schema: stringFields<{ commandId: string; commandType: string; target: string; key: string; reason: string }>(['commandId', 'commandType', 'target', 'key', 'reason']),
  subject: (d) => d.target,
  partitionKey: (d) => d.key,
});
