/**
 * The email group's outside call: waits `ms` per event, as a slow provider would, and counts the
 * calls and how many are in flight at once (the group needs rate x ms / 1000 of them to keep up).
 */
import { sleep } from '../measure.js';

export class SlowEffect {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly ms: number) {}

  readonly call = async (): Promise<void> => {
    this.calls++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await sleep(this.ms);
    } finally {
      this.inFlight--;
    }
  };
}
