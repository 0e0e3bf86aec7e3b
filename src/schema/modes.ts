/** Compatibility modes, in Confluent Schema Registry's vocabulary. */
export const MODES = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;
export type CompatibilityMode = (typeof MODES)[number];

/**
 * `backward`: consumers of the newer version read events of the older one (the newer schema
 * accepts everything the older one lets a producer write). `forward`: consumers of the older
 * version read events of the newer one.
 */
export type Direction = 'backward' | 'forward';

export function isMode(x: unknown): x is CompatibilityMode {
  return typeof x === 'string' && (MODES as readonly string[]).includes(x);
}

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
