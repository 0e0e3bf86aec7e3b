import { defineEvent } from '../core/event.js';
import { stringFields, stringFieldsJsonSchema } from '../core/plain-schema.js';

/**
 * The scheduled event of a workflow timer: delivered on the instance's key when the timer is due,
 * unless the instance left the state that set it first (then it was cancelled).
 */
export const TimerFired = defineEvent({
  type: 'factline.workflow.timer',
  version: 1,
  jsonSchema: stringFieldsJsonSchema(['workflow', 'key', 'timer', 'state']),
  schema: stringFields<{ workflow: string; key: string; timer: string; state: string }>(['workflow', 'key', 'timer', 'state']),
  subject: (d) => d.key,
});
