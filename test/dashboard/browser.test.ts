import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, run, summary } from '../examples/shop-run.js';
import { IMAGES, launchBrowser, startDashboard, type RunningDashboard } from './run-dashboard.js';

const TOKEN = 'e2e-token-5f1c';
const hasChromium = existsSync('/usr/bin/chromium');
if (!hasChromium) {
  if (process.env.CI === 'true') throw new Error('/usr/bin/chromium is missing and CI=true: the dashboard browser tests must run in CI (apt-get install -y chromium)');
  console.warn('\n!!! /usr/bin/chromium is missing: SKIPPING the dashboard browser tests\n');
}

async function fraudRow(page: Page) {
  const row = page.locator('#groups tr[data-group="fraud"]');
  return {
    open: (await row.locator('[data-field="open-dead-letters"]').innerText()).trim(),
    oldest: (await row.locator('[data-field="oldest-dead-letter"]').innerText()).trim(),
  };
}

describe.skipIf(!hasChromium)('the dashboard in Chromium after the shop demo', { timeout: 240_000 }, () => {
  let db: string;
  let writable: RunningDashboard;
  let readOnly: RunningDashboard;
  let browser: Browser;

  beforeAll(async () => {
    db = freshDb();
    expect(summary(run('demo', ['--db', db])).fraud).toEqual([196, 0, 4, 4, 0]);
    [writable, readOnly, browser] = await Promise.all([
      startDashboard(['--db', db, '--token', TOKEN]),
      startDashboard(['--db', db]),
      launchBrowser(),
    ]);
    mkdirSync(IMAGES, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([writable?.stop(), readOnly?.stop(), browser?.close()]);
  });

  it('shows fraud\'s 4 open dead letters with a non-zero oldest age as an alarm on the overview', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'dark' });
    await page.goto(`${writable.url}/`);
    await expect.poll(async () => (await fraudRow(page)).open).toBe('4');
    const { oldest } = await fraudRow(page);
    expect(oldest).toMatch(/^\d+(ms|s|m\d\ds|h\d\dm|d\d\dh)$/);
    expect(oldest).not.toMatch(/^0(ms)?$/);
    await expect.poll(() => page.locator('#alarm').innerText()).toContain('4 open dead letters in fraud');
    // The other groups have none.
    for (const g of ['billing', 'inventory', 'email', 'analytics']) {
      expect(await page.locator(`#groups tr[data-group="${g}"] [data-field="open-dead-letters"]`).innerText()).toBe('0');
    }
    // Live: the region refreshes without a reload.
    await expect.poll(() => page.locator('#live-state').innerText(), { timeout: 10_000 }).toContain('live, updated');
    await page.screenshot({ path: join(IMAGES, 'dashboard-overview.png') });
    await page.close();
  });

  it('shows a dead letter\'s reason, attempts and event on its detail page', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'dark' });
    await page.goto(`${writable.url}/dead-letters?group=fraud&status=open`);
    await expect(page.locator('#dead-letters tbody tr').count()).resolves.toBe(4);
    await page.locator('#dead-letters tbody tr a').first().click();
    await expect.poll(() => page.locator('#reason').innerText()).toContain('no risk profile for shipping country NO');
    expect(await page.locator('#envelope').innerText()).toContain('"type": "shop.order.placed"');
    expect(await page.locator('pre').first().innerText()).toContain('NonRetryableError');
    expect(await page.locator('#replay').count()).toBe(1);
    await page.screenshot({ path: join(IMAGES, 'dashboard-dead-letter.png') });
    await page.close();
  });

  it('shows a handled order\'s flow as complete and a dead-lettered one as stuck in fraud', async () => {
    const dead = JSON.parse(run('cli', ['dlq', 'list', '--db', db, '--status', 'open', '--json'])) as { subject: string }[];
    const stuckOrder = dead[0]!.subject;
    const handledOrder = stuckOrder.replace(/\d{4}$/, '0001');
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'dark' });
    await page.goto(`${writable.url}/flow`);
    await page.fill('input[name="q"]', handledOrder);
    await page.press('input[name="q"]', 'Enter');
    await expect.poll(() => page.locator('#verdict').getAttribute('data-state')).toBe('complete');
    expect(await page.locator('#timeline > li').count()).toBeGreaterThan(1);
    expect(await page.locator('#timeline [data-state="handled"][data-group="fraud"]').count()).toBe(1);
    expect(await page.locator('#timeline [data-state="dead-letter"]').count()).toBe(0);

    await page.fill('input[name="q"]', stuckOrder);
    await page.press('input[name="q"]', 'Enter');
    await expect.poll(() => page.locator('#verdict').getAttribute('data-state')).toBe('stuck');
    expect(await page.locator('#verdict').innerText()).toContain('fraud');
    expect(await page.locator('#timeline [data-state="dead-letter"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))).toEqual(['fraud']);
    await page.screenshot({ path: join(IMAGES, 'dashboard-flow-stuck.png') });
    // From the stuck outcome to its dead letter.
    await page.locator('#timeline [data-state="dead-letter"] a').click();
    await expect.poll(() => page.locator('#reason').innerText()).toContain('no risk profile');
    await page.close();
  });

  it('offers no replay without a token, and its API refuses with 403', async () => {
    const page = await browser.newPage();
    await page.goto(`${readOnly.url}/dead-letters?group=fraud&status=open`);
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(4);
    expect(await page.locator('#replay-group').count()).toBe(0);
    await page.locator('#dead-letters tbody tr a').first().click();
    await page.locator('#reason').waitFor();
    expect(await page.locator('#replay').count()).toBe(0);
    expect(await page.locator('#discard').count()).toBe(0);
    expect(await page.locator('header').innerText()).toContain('read-only');
    // Even with the header a script would send, the read-only dashboard refuses.
    const status = await page.evaluate(async () => (await fetch('/api/groups/fraud/replay', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer e2e-token-5f1c' }, body: '{}',
    })).status);
    expect(status).toBe(403);
    await page.close();
    const open = JSON.parse(run('cli', ['dlq', 'list', '--db', db, '--status', 'open', '--json'])) as unknown[];
    expect(open).toHaveLength(4);
  });

  it('lists the log newest first, pages back, and opens an event\'s envelope', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'light' });
    await page.goto(`${writable.url}/log`);
    const rows = page.locator('#events tbody tr');
    expect(await rows.count()).toBe(50);
    await page.screenshot({ path: join(IMAGES, 'dashboard-log.png') });
    const firstIds = await page.locator('#events tbody tr td:last-child').allInnerTexts();
    await page.locator('#older').click();
    await page.locator('#events').waitFor();
    const olderIds = await page.locator('#events tbody tr td:last-child').allInnerTexts();
    expect(olderIds).toHaveLength(50);
    expect(olderIds.filter((id) => firstIds.includes(id))).toEqual([]);
    await page.goto(`${writable.url}/log?type=shop.order.placed`);
    const types = await page.locator('#events tbody tr td:nth-child(2)').allInnerTexts();
    expect(new Set(types)).toEqual(new Set(['shop.order.placed']));
    await page.locator('#events tbody tr a').first().click();
    await expect.poll(() => page.locator('#envelope').innerText()).toContain('"specversion": "1.0"');
    // The theme follows the system (light here) until switched; the switch is remembered.
    expect(await page.locator('html').getAttribute('data-theme')).toBeNull();
    await page.click('#theme-toggle');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.reload();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.click('#theme-toggle');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await page.close();
  });

  it('replays fraud\'s dead letters with the token; after the fixed consumer runs the count is 0', async () => {
    // An overview left open: it must follow without a reload.
    const live = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'dark' });
    await live.goto(`${writable.url}/`);
    await expect.poll(async () => (await fraudRow(live)).open).toBe('4');
    await live.evaluate('window.__loadedOnce = true');

    const page = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'dark' });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${writable.url}/dead-letters?group=fraud&status=open`);
    await expect.poll(() => page.locator('#token-state').innerText()).toContain('read-only until you enter the token');
    await page.fill('#token-form input', TOKEN);
    await page.click('#token-form button');
    await expect.poll(() => page.locator('#token-state').innerText()).toContain('token set');
    // A token in the address's fragment is taken into the tab and removed from the address.
    const viaHash = await browser.newPage();
    await viaHash.goto(`${writable.url}/dead-letters#token=${TOKEN}`);
    await expect.poll(() => viaHash.locator('#token-state').innerText()).toContain('token set');
    expect(new URL(viaHash.url()).hash).toBe('');
    await viaHash.close();
    await page.fill('form[data-api$="/groups/fraud/replay"] input[name="reason"]', 'risk profile for NO');
    await page.click('#replay-group');
    await expect.poll(() => page.locator('#notice').innerText()).toContain('4 replayed to fraud only');

    const replayed = JSON.parse(run('cli', ['dlq', 'list', '--db', db, '--status', 'replayed', '--json'])) as { resolvedBy: string; resolution: string }[];
    expect(replayed).toHaveLength(4);
    expect(replayed.every((d) => d.resolvedBy === 'dashboard' && d.resolution === 'risk profile for NO')).toBe(true);

    const drained = summary(run('demo', ['--fix', '--db', db]));
    expect(drained.fraud).toEqual([200, 0, 4, 0, 0]);
    expect(drained.billing).toEqual([200, 0, 0, 0, 0]);

    await expect.poll(async () => (await fraudRow(live)).open, { timeout: 15_000 }).toBe('0');
    expect((await fraudRow(live)).oldest).toBe('-');
    expect(await live.locator('#alarm').count()).toBe(0);
    expect(await live.evaluate('window.__loadedOnce')).toBe(true);
    await live.close();

    const detail = await browser.newPage({ viewport: { width: 1366, height: 860 }, colorScheme: 'light' });
    await detail.goto(`${writable.url}/dead-letters?group=fraud&status=replayed`);
    await detail.locator('#dead-letters tbody tr a').first().click();
    await expect.poll(() => detail.locator('#history').innerText()).toContain('risk profile for NO');
    expect(await detail.locator('#replay').count()).toBe(0);
    await detail.screenshot({ path: join(IMAGES, 'dashboard-replayed-light.png') });
    await Promise.all([page.close(), detail.close()]);
  });
});
