// Phones: the plan page, an action's page, the period page and a committee's promise log are
// read at 375 px and 320 px wide without scrolling sideways. On a narrow
// screen each table row becomes a stack that leads with its status, and
// every figure keeps its label; axe finds no violation in that layout.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, PLANS, assertAccessible, launchBrowser, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const WIDTHS = [375, 320];

/** Whether `page` scrolls sideways; fails naming the widest element when it does. */
async function assertNoSidewaysScroll(page, what, width) {
  const { scroll, widest } = await page.evaluate(() => {
    let widest = '';
    let right = 0;
    for (const el of document.querySelectorAll('main *')) {
      const r = el.getBoundingClientRect();
      if (r.right > right) {
        right = r.right;
        widest = `${el.tagName.toLowerCase()}.${el.className}`;
      }
    }
    return { scroll: document.documentElement.scrollWidth, widest };
  });
  assert.ok(scroll <= width, `${what} is ${scroll} px wide at ${width} px (widest: ${widest})`);
}

/** The labels a stacked row shows before its cells (CSS `::before` of each cell), in order. */
async function labelsShown(table) {
  return table.locator('tbody tr').first().evaluate((row) =>
    [...row.children]
      .map((c) => getComputedStyle(c, '::before').content)
      .filter((c) => c && c !== 'none')
      .map((c) => c.replace(/^"|"$/g, '')),
  );
}

/** The text of the first thing shown in the first row of `table`, as laid out on screen. */
async function firstShown(table) {
  return table.locator('tbody tr').first().evaluate((row) => {
    const cells = [...row.children].filter((c) => c.getBoundingClientRect().height > 0);
    cells.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    return cells[0].innerText.trim();
  });
}

test("the public plan page fits a phone and leads each action with its status", async () => {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}${PLANS.y2023}`);
    await assertNoSidewaysScroll(page, 'the plan page', width);
    const actions = page.locator('table', { has: page.locator('caption', { hasText: /^Actions under/ }) }).first();
    assert.match(await firstShown(actions), /^(Complete|On track|At risk|Off track|Not started|Deferred|No update)/);
    const labels = await labelsShown(actions);
    assert.ok(labels.includes('Ref: ') && labels.includes('Lead: '), `the stacked cells keep their labels: ${labels}`);
    const summary = await labelsShown(page.locator('table', { has: page.locator('caption', { hasText: 'Actions by status' }) }));
    assert.ok(summary.includes('Complete: '), `each count is labelled with its status: ${summary}`);
    if (width === 375) await assertAccessible(page, 'the plan page at 375 px');
    await context.close();
  }
});

test("a resident reads an action's page on a phone: its status first, its chart within the screen", async () => {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}${PLANS.y2023}`);
    await page.getByRole('link', { name: /Carers Strategy/ }).first().click();
    await page.locator('#latest-status').waitFor();
    await assertNoSidewaysScroll(page, 'the action page', width);
    const chart = page.locator('svg.ambit-chart').first();
    const box = await chart.boundingBox();
    assert.ok(box && box.x + box.width <= width, `the measure chart fits: ${JSON.stringify(box)}`);
    if (width === 375) await assertAccessible(page, 'the action page at 375 px');
    await context.close();
  }
});

test("the officer's period page fits a phone, status first, with sign-off in reach", async () => {
  for (const width of WIDTHS) {
    const { page, context } = await signedInPage(browser, base, ACCOUNTS.officer, { viewport: { width, height: 800 } });
    await page.goto(`${base}${PLANS.y2023}/periods/H2`);
    await assertNoSidewaysScroll(page, 'the period page', width);
    const updates = page.locator('table', { has: page.locator('caption', { hasText: "Each action's update" }) });
    assert.match(await firstShown(updates), /^(Missing|Draft|Submitted|Returned|Signed off)/);
    assert.ok((await labelsShown(updates)).includes('Owner: '));
    if (width === 375) await assertAccessible(page, 'the period page at 375 px');
    await context.close();
  }
});

test("a committee's promise log fits a phone, each promise led by its standing", async () => {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/b/bromley/committees`);
    await page.locator('main a[href^="/b/bromley/committees/"]').first().click();
    const log = page.locator('table', { has: page.locator('caption', { hasText: /^Promises made/ }) });
    await log.waitFor();
    await assertNoSidewaysScroll(page, 'the promise log', width);
    assert.match(await firstShown(log), /^(Open|Overdue|Delivered|Withdrawn|Due)/);
    const labels = await labelsShown(log);
    assert.ok(labels.includes('Owner: ') && labels.includes('Made at: '), `the stacked cells keep their labels: ${labels}`);
    if (width === 375) await assertAccessible(page, 'the promise log at 375 px');
    await context.close();
  }
});
