import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');

export interface RunningDashboard {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `factline dashboard <args> --port 0 --json` as a child process and waits for its URL. */
export function startDashboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDashboard> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'factline.js'), 'dashboard', ...args, '--port', '0', '--json'], {
    cwd: ROOT, env: { ...process.env, FACTLINE_URL: '', FACTLINE_DB: '', FACTLINE_DASHBOARD_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        const { url } = JSON.parse(line) as { url: string };
        resolve({
          url: url.replace(/\/$/, ''),
          child,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited ${code}: ${err}`));
    });
  });
}

/** Debian's Chromium, headless, never downloaded. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

export const IMAGES = join(ROOT, 'docs', 'images');
