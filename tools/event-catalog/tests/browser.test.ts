// Opens the built site from disk in headless Chromium (Debian's package, driven by playwright-core;
// nothing is downloaded) and walks a consumer's path: search, open the event, see its consumers,
// follow one to its service page. Screenshots land in test-artifacts/ (git-ignored) for CI to keep.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { main as buildSite } from '../scripts/build';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`SKIPPED browser test: ${CHROMIUM} not found. Install Debian's chromium package (apt-get install -y chromium) to run it.`);
}

describe.skipIf(!hasChromium)('the catalog in a browser, opened from disk', () => {
  let browser: BrowserContext;
  let siteDir: string;
  let profileDir: string;

  beforeAll(async () => {
    siteDir = mkdtempSync(join(tmpdir(), 'event-catalog-site-'));
    profileDir = mkdtempSync(join(tmpdir(), 'event-catalog-chromium-'));
    await buildSite(siteDir, () => {});
    mkdirSync(ARTIFACTS, { recursive: true });
    // A new, empty profile per run (Playwright takes the user-data-dir as this argument, not a flag).
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(siteDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  });

  it('finds an event by name, shows its consumers and links to a consumer service', async () => {
    // prepare
    const page = await browser.newPage();
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await page.goto(pathToFileURL(join(siteDir, 'index.html')).href);

    // act: search for the event, then open it
    await page.getByLabel('Search events by name, field or service').fill('UserRegistered');
    const results = page.locator('#results li');
    await expect.poll(() => results.count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'index-search.png'), fullPage: true });
    await results.getByRole('link', { name: 'UserRegistered' }).click();

    // assess: the event page lists its consumers with their patterns
    await expect.poll(() => page.url()).toContain('events/kestrel.identity.UserRegistered.html');
    const consumers = page.locator('section[aria-labelledby="consumers"]');
    const consumerNames = await consumers.locator('tbody th').allInnerTexts();
    expect(consumerNames).toEqual(expect.arrayContaining(['customers', 'analytics-ingest']));
    expect(await consumers.locator('pre').first().innerText()).toContain('"source"');
    await page.screenshot({ path: join(ARTIFACTS, 'event-page.png'), fullPage: true });

    // act: follow the link to the consumer's page
    await consumers.getByRole('link', { name: 'customers' }).click();

    // assess
    await expect.poll(() => page.url()).toContain('services/customers.html');
    expect(await page.locator('h1').innerText()).toBe('customers');
    expect(await page.locator('section[aria-labelledby="consumes"]').innerText()).toContain('user-registered');
    await page.screenshot({ path: join(ARTIFACTS, 'service-page.png'), fullPage: true });
    expect(failedRequests).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });

  it('shows an event\'s typed field table, its producer → consumer graph and the dated changelog of its lock', async () => {
    // Act
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(siteDir, 'events/kestrel.identity.UserRegistered.html')).href);

    // Assess
    const fields = page.locator('table.fields').first();
    const emailRow = fields.locator('tr', { has: page.locator('th code', { hasText: /^email$/ }) });
    expect(await emailRow.locator('td').allInnerTexts()).toEqual(['string (email)', 'required', expect.any(String), expect.any(String), 'email']);
    const flow = page.locator('section[aria-labelledby="flow"]');
    expect(await flow.locator('svg').count()).toBe(1);
    // Styled like the index's graph (light boxes, dark text), not SVG's default black fill.
    expect(await flow.locator('svg rect').first().evaluate((rect) => getComputedStyle(rect).fill)).not.toBe('rgb(0, 0, 0)');
    expect(await flow.locator('li').allInnerTexts()).toEqual(expect.arrayContaining(['identity → customers (user-registered v1)']));
    expect(await page.locator('ol.changelog time').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'event-fields.png'), fullPage: true });
    await page.close();
  });

  it('searches by field and by service, saying why each event matched', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(siteDir, 'index.html')).href);
    const search = page.getByLabel('Search events by name, field or service');

    await search.fill('customerVersion');
    const byField = await page.locator('#results li').allInnerTexts();
    await search.fill('analytics-ingest');
    const byService = await page.locator('#results li').count();

    expect(byField.length).toBeGreaterThan(0);
    expect(byField.every((text) => text.includes('Matched field customerVersion'))).toBe(true);
    expect(byService).toBe(await page.locator('script#catalog-index').evaluate((el) => (JSON.parse(el.textContent ?? '[]') as unknown[]).length));
    expect(await page.locator('#search-status').innerText()).toMatch(/^\d+ of \d+ events match/);
  });

  it('reaches every link and the search with the keyboard alone', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(siteDir, 'index.html')).href);

    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent);
    const focusable = new Set<string>();
    for (let step = 0; step < 12; step += 1) {
      await page.keyboard.press('Tab');
      focusable.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }

    expect(first).toBe('Skip to content');
    expect(focusable.has('search')).toBe(true);
  });
});
