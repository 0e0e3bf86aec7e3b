import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createFactline, defineEvent, NonRetryableError, type Engine, type Factline } from '../../src/index.js';
import { eventually, memoryLogger } from '../../src/testing/helpers.js';

/** Event data that would run script or add elements if a page put it in its HTML unescaped. */
export const SCRIPT = '<script>window.__xss = 1</script>';
export const IMG = '"><img src=x onerror="window.__xss = 2">';
export const ATTR = "' onmouseover='window.__xss = 3' x='";

export const NoteAdded = defineEvent({
  type: 'notes.note.added',
  version: 1,
  schema: z.object({ id: z.string(), text: z.string() }),
  subject: (d) => d.id,
});

/**
 * A log whose events carry SCRIPT, IMG and ATTR in their subjects and data, whose group
 * `checker` dead-letters two of them with those strings in the error message, and whose group
 * `slowpoke` keeps the third retrying (next attempt in 10 minutes), its error holding ATTR.
 */
export async function nastyLog<Db>(engine: Engine<Db>): Promise<Factline<Db>> {
  const app = createFactline({ engine, source: 'notes/app', partitions: 2, logger: memoryLogger() });
  app.consumer('checker', { retry: { attempts: 1 } }).on(NoteAdded, async (e) => {
    if (e.data.id !== 'plain') throw new NonRetryableError(`cannot check ${e.data.text}`);
  });
  app.consumer('reader').on(NoteAdded, async () => undefined);
  app.consumer('slowpoke', { retry: { attempts: 3, initialDelayMs: 600_000, maxDelayMs: 600_000, jitter: 0 } }).on(NoteAdded, async (e) => {
    if (e.data.id === 'plain') throw new Error(`busy with ${e.data.text}`);
  });
  await app.publishAll([
    { event: NoteAdded, data: { id: SCRIPT, text: IMG } },
    { event: NoteAdded, data: { id: IMG, text: `${SCRIPT} ${ATTR}` } },
    { event: NoteAdded, data: { id: 'plain', text: ATTR } },
  ]);
  await app.start();
  await eventually('two dead letters', async () => (await app.engine.admin.listDeadLetters({ status: 'open' })).length === 2);
  await eventually('slowpoke retrying', async () => (await app.engine.admin.status()).some((s) => s.group === 'slowpoke' && s.parked > 0));
  await eventually('reader done', async () => (await app.engine.admin.status()).filter((s) => s.group === 'reader').every((s) => s.position === s.head));
  return app;
}

export const tmpFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'factline-dashboard-')), name);
