import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createFactline } from '../../src/index.js';
import { sqliteEngine } from '../../src/engines/sqlite/index.js';
import { eventually, memoryLogger, TestPlaced } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The member script in a child process: its JSON stdout lines and how it ended. */
function member(file: string, option: 'on' | 'off') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/shutdown/signal-member.ts'], {
    cwd: ROOT, env: { ...process.env, SIGNAL_FILE: file, SIGNAL_OPTION: option }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return { child, lines, exited, stderr: () => stderr };
}

/** Lease rows of `group` that are still valid now. */
function liveLeases(file: string, group: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from factline_leases where grp = ? and expires_at >= ?').get(group, Date.now()) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Resolves once the member printed ready; fails with its stderr if it ends or takes too long. */
async function started(m: ReturnType<typeof member>): Promise<void> {
  let ended = false;
  void m.exited.then(() => void (ended = true));
  await eventually('the member to start', () => {
    if (ended) throw new Error(`the member exited before it started:\n${m.stderr()}`);
    return m.lines.some((l) => l.ready);
  }, 30_000);
}

async function publishOrders(file: string) {
  const producer = createFactline({ engine: sqliteEngine({ file }), source: 'test/signals', partitions: 4, logger: memoryLogger() });
  for (let n = 1; n <= 8; n++) await producer.publish(TestPlaced, { key: `k${n}`, n });
  await producer.stop();
}

describe('createFactline({ stopOnSignals: true }) in a real process', () => {
  it('on SIGTERM stops both apps of the process: the handler in flight commits, the leases are released at once, and the process ends by the signal', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factline-signals-')), 'log.db');
    const m = member(file, 'on');
    await started(m);
    expect([liveLeases(file, 'g'), liveLeases(file, 'h')]).toEqual([4, 4]);
    await publishOrders(file);
    await eventually('the slow handler runs', () => m.lines.some((l) => l.handling === 1));
    const sent = Date.now();
    m.child.kill('SIGTERM');
    const exit = await m.exited;
    expect(exit.signal, m.stderr()).toBe('SIGTERM');
    expect(exit.at - sent).toBeLessThan(10_000); // the lease is 60 s
    expect([liveLeases(file, 'g'), liveLeases(file, 'h')]).toEqual([0, 0]);
    // The event in flight at SIGTERM was committed by the stopping member.
    const db = new Database(file, { readonly: true });
    const handled = (db.prepare("select n from handled where grp = 'g'").all() as { n: number }[]).map((r) => r.n);
    db.close();
    expect(handled).toContain(1);
  });

  it('without it, a member killed by SIGTERM keeps its leases until they expire', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factline-signals-')), 'log.db');
    const m = member(file, 'off');
    await started(m);
    m.child.kill('SIGTERM');
    expect((await m.exited).signal).toBe('SIGTERM');
    expect([liveLeases(file, 'g'), liveLeases(file, 'h')]).toEqual([4, 4]);
  });
});
