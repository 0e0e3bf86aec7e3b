import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard, type ServedDashboard } from '../../src/dashboard/index.js';
import { sqliteEngine, type SqliteDb } from '../../src/engines/sqlite/index.js';
import type { Factline } from '../../src/index.js';
import { ATTR, IMG, nastyLog, SCRIPT, tmpFile } from './nasty-log.js';
import { launchBrowser } from './run-dashboard.js';

const hasChromium = existsSync('/usr/bin/chromium');
if (!hasChromium && process.env.CI === 'true') throw new Error('/usr/bin/chromium is missing and CI=true: the dashboard browser tests must run in CI');

describe.skipIf(!hasChromium)('event data with markup in the browser', { timeout: 120_000 }, () => {
  let app: Factline<SqliteDb>;
  let served: ServedDashboard;
  let browser: Browser;

  beforeAll(async () => {
    app = await nastyLog(sqliteEngine({ file: tmpFile('xss.db') }));
    [served, browser] = await Promise.all([serveDashboard({ engine: app.engine, port: 0, token: 'xss-test-token-1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await Promise.all([served?.close(), browser?.close()]);
    await app?.stop();
  });

  it('runs no script and adds no element on any page, and shows the data as text', async () => {
    const base = served.url.replace(/\/$/, '');
    const dead = await app.engine.admin.listDeadLetters({});
    const events = await app.engine.admin.eventsBefore({ partition: 0, before: 100, from: 1, limit: 10 });
    const pages = [
      '/', '/dead-letters', `/dead-letters?subject=${encodeURIComponent(SCRIPT)}`, ...dead.map((d) => `/dead-letters/${d.id}`),
      '/log', `/log?subject=${encodeURIComponent(IMG)}`, ...events.map((e) => `/events/${e.id}`),
      `/flow?q=${encodeURIComponent(SCRIPT)}`, `/flow?q=${encodeURIComponent(IMG)}`, `/flow?q=${encodeURIComponent(ATTR)}`,
    ];
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      await page.waitForLoadState('load');
      // Hover everything: an injected onmouseover would fire.
      for (const el of await page.locator('td, pre, span, a, h1, input').all()) await el.hover({ force: true, timeout: 1000 }).catch(() => undefined);
      // A string, evaluated in the page (this file is typed for Node, without the DOM).
      const state = (await page.evaluate(`({
        flag: window.__xss,
        images: document.querySelectorAll('img').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        text: document.body.innerText,
      })`)) as { flag: unknown; images: number; scripts: (string | null)[]; handlers: number; text: string };
      expect(state.flag, path).toBeUndefined();
      expect(state.images, path).toBe(0);
      expect(state.scripts, path).toEqual([`${new URL(base).pathname.replace(/\/$/, '')}/assets/app.js`]);
      expect(state.handlers, path).toBe(0);
      if (path !== '/') expect(state.text.includes(SCRIPT) || state.text.includes(IMG) || state.text.includes(ATTR), path).toBe(true);
    }
    // The live refresh puts server-rendered HTML into the overview: it stays inert too.
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('#live-state').innerText(), { timeout: 10_000 }).toContain('live, updated');
    expect(await page.evaluate("[typeof window.__xss, document.querySelectorAll('img').length]")).toEqual(['undefined', 0]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('discards a dead letter from its page only with a reason, and shows who and why', async () => {
    const base = served.url.replace(/\/$/, '');
    const [dl] = await app.engine.admin.listDeadLetters({ status: 'open', subject: SCRIPT });
    const page = await browser.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/dead-letters/${dl!.id}#token=xss-test-token-1`);
    await page.click('#discard');
    // The reason field is required: the browser does not submit the form without one.
    expect(await page.evaluate(`document.querySelector('form[data-api$="/discard"] input[name="reason"]').validity.valueMissing`)).toBe(true);
    expect((await app.engine.admin.getDeadLetter(dl!.id))!.status).toBe('open');
    await page.fill('form[data-api$="/discard"] input[name="reason"]', `duplicate of ${IMG}`);
    await page.click('#discard');
    await expect.poll(() => page.locator('#notice').innerText()).toContain('discarded from checker');
    expect(await page.locator('#history').innerText()).toContain(`duplicate of ${IMG}`);
    expect(await page.locator('#discard').count()).toBe(0);
    expect(await page.evaluate("[typeof window.__xss, document.querySelectorAll('img').length]")).toEqual(['undefined', 0]);
    expect(await app.engine.admin.getDeadLetter(dl!.id)).toMatchObject({ status: 'discarded', resolvedBy: 'dashboard', resolution: `duplicate of ${IMG}` });
    await page.close();
  });
});
