import { LeaseLostError } from '../core/errors.js';
import type { GroupSettings } from './settings.js';

/**
 * Runs `fn`, again after a pause when the store fails (it may be restarting), until it succeeds,
 * the lease is lost (rethrown) or the worker stops (the last error is rethrown).
 */
export async function retryStore<T>(host: { readonly s: GroupSettings; stopping(): boolean }, fn: () => Promise<T>, onRepeated?: (err: unknown, failures: number) => void): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LeaseLostError || host.stopping()) throw err;
      host.s.logger.error({ group: host.s.name, err: String(err), attempt: failures }, 'consumer transaction failed; retrying');
      onRepeated?.(err, failures);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5000)));
    }
  }
}
