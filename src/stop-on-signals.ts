import type { Factline } from './app-types.js';
import type { Logger } from './observe/logger.js';

/** Per signal, the stops of the apps that stop on it; one process listener per signal. */
const stopsOn = new Map<NodeJS.Signals, Set<(signal: NodeJS.Signals) => Promise<void>>>();

/**
 * The first of `signals` stops every app listening for it: each app's stop() removes its
 * listeners at once (so a second signal takes its default effect), and once all of them have
 * stopped, the signal is raised again if nothing else listens for it, so that it ends the process
 * as it would have without Factline. Returns the function that removes this app's listeners.
 */
export function stopOnSignals(app: Factline<unknown>, signals: readonly NodeJS.Signals[], logger: Logger): () => void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, `${signal} received: stopping (in-flight work finishes and commits, leases are released)`);
    return app.stop().catch((err: unknown) => logger.error({ signal, err: String(err) }, 'stopping on a signal failed'));
  };
  for (const signal of new Set(signals)) {
    let stops = stopsOn.get(signal);
    if (!stops) {
      stopsOn.set(signal, (stops = new Set()));
      process.on(signal, onSignal);
    }
    stops.add(stop);
  }
  return () => {
    for (const signal of new Set(signals)) {
      const stops = stopsOn.get(signal);
      stops?.delete(stop);
      if (stops?.size === 0) {
        stopsOn.delete(signal);
        process.off(signal, onSignal);
      }
    }
  };
}

function onSignal(signal: NodeJS.Signals): void {
  const stopping = [...(stopsOn.get(signal) ?? [])].map((stop) => stop(signal));
  void Promise.allSettled(stopping).then(() => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
