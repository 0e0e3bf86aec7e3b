import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real file systems for fault tests: a tiny tmpfs (a disk that fills up) and a read-only bind
 * mount. Mounting needs root (or CAP_SYS_ADMIN); where it is impossible the helpers return
 * undefined after a loud warning, and the tests that need them skip.
 */
function tryMount(what: string, mount: (dir: string) => void): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'factline-mount-'));
  try {
    mount(dir);
    return dir;
  } catch (err) {
    console.warn(`\n!!! SKIPPING ${what} tests: cannot mount here (${(err as Error).message.split('\n')[0]}); run them as root to check this hazard !!!\n`);
    return undefined;
  }
}

const run = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });

/** A tmpfs of `size` (e.g. `1m`); undefined where mounting is impossible. */
export function smallDisk(size: string): string | undefined {
  return tryMount('disk-full', (dir) => run('mount', '-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir));
}

/**
 * A read-only view of a fresh writable directory: write the files in `source`, then
 * `makeReadOnly()` and read them at `view`.
 */
export function readOnlyView(): { source: string; view: string; makeReadOnly(): void } | undefined {
  const source = mkdtempSync(join(tmpdir(), 'factline-rw-'));
  const view = tryMount('read-only file system', (dir) => run('mount', '--bind', source, dir));
  if (!view) return undefined;
  return { source, view, makeReadOnly: () => void run('mount', '-o', 'remount,ro,bind', view) };
}

/** Unmounts `dir` (lazily, so that a leaked handle does not keep the mount). */
export function unmount(dir: string | undefined): void {
  if (!dir) return;
  try {
    run('umount', '-l', dir);
  } catch (err) {
    console.warn(`could not unmount ${dir}: ${(err as Error).message}`);
  }
}
