import { FactlineError } from '../core/errors.js';

/** The command line itself is wrong (unknown command or flag, missing argument): exit code 2. */
export class UsageError extends FactlineError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}
