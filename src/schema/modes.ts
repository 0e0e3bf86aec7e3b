import type { CompatibilityMode } from '../core/compatibility-mode.js';

export { MODES, isMode, type CompatibilityMode } from '../core/compatibility-mode.js';

/**
 * `backward`: consumers of the newer version read events of the older one (the newer schema
 * accepts everything the older one lets a producer write). `forward`: consumers of the older
 * version read events of the newer one.
 */
export type Direction = 'backward' | 'forward';

/** The directions a mode checks. */
export function directionsOf(mode: CompatibilityMode): Direction[] {
  if (mode === 'NONE') return [];
  if (mode.startsWith('BACKWARD')) return ['backward'];
  if (mode.startsWith('FORWARD')) return ['forward'];
  return ['backward', 'forward'];
}

/** Whether a mode checks every older version (`_TRANSITIVE`) or only the latest one. */
export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith('_TRANSITIVE');
}
