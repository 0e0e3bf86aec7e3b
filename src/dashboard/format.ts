/** Ages and times as the dashboard shows them. */

import { duration } from '../cli/format.js';

/** `850ms`, `12s`, `4m10s`, `3h02m`, `2d05h`: the CLI's rendering, so both show an age alike. */
export { duration };

export function iso(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** With milliseconds: events of one second apart. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

export function age(at: number | undefined, now: number): string {
  return at === undefined ? '-' : duration(now - at);
}

/** The stored envelope JSON parsed, or the raw text when it is not JSON. */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
