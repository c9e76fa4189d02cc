// The committee record in full, in a browser: a clerk reviews an item's
// minutes with each finding's sentence marked in the text, picks the action
// a promise concerns from the plan, accepts, is told what was recorded and
// asked to publish, publishes; then filters the log of promises and takes
// the matters-arising CSV away. The public then reads the meeting with its
// report pack. axe checks every page state, the banners included.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ACCOUNTS, assertAccessible, fillDate, launchBrowser, mainText, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let clerk;
let publicPage;
let meetingURL;
let committeeURL;

const COMMITTEE = /Adult Care and Health Policy Development and Scrutiny Committee/;
const PROMISE = 'the action plan would be brought to the Committee in June 2023';

const MINUTES = `Report ACH23-012

With regards to Ambition 2 – Action Point 10A: Develop a new support offer to help and sustain unpaid carers including young carers, Councillor Smith asked when the carers action plan would be published. The Assistant Director for Integrated Commissioning said that ${PROMISE}.

RESOLVED that the Bromley Carers Strategy be noted.`;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  clerk = (await signedInPage(browser, base, ACCOUNTS.clerk)).page;
  publicPage = await (await browser.newContext()).newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a clerk reviews minutes with the sources marked, picks the action and publishes the record', async () => {
  await clerk.goto(`${base}/b/bromley/committees`);
  await clerk.getByRole('link', { name: COMMITTEE }).click();
  committeeURL = clerk.url();
  // A held meeting, not yet published.
  await fillDate(clerk, /^Date$/, '2023-03-21');
  await clerk.getByLabel('Status', { exact: true }).selectOption('held');
  await clerk.getByRole('button', { name: 'Add the meeting' }).click();
  await clerk.getByRole('heading', { level: 1, name: /21 March 2023/ }).waitFor();
  meetingURL = clerk.url();
  await clerk.getByLabel('Item number').fill('5');
  await clerk.getByLabel('Title').fill('Carers Strategy');
  await clerk.getByLabel(/The plan and half-year/).selectOption({ label: 'ACH 2022/23 H2' });
  await clerk.getByRole('button', { name: 'Add the item' }).click();
  await clerk.getByRole('link', { name: 'Add the minutes of item 5' }).click();
  await clerk.getByLabel('Paste the minutes of this item').fill(MINUTES);
  await clerk.getByRole('button', { name: /Find the questions, promises and resolutions/ }).click();
  await clerk.getByRole('heading', { name: 'The minutes' }).waitFor();

  // Each finding's sentence is marked in the minutes, and the finding links to it.
  const marks = await clerk.locator('#minutes-text mark').allInnerTexts();
  assert.ok(marks.some((m) => m.includes(PROMISE)), `the promise's sentence is marked: ${marks}`);
  const promise = clerk.getByRole('group', { name: 'Promise 1' });
  await promise.getByRole('link', { name: /Show it in the minutes/ }).click();
  const target = new URL(clerk.url()).hash.slice(1);
  assert.match(target, /^m-\d+$/);
  assert.match(await clerk.locator(`mark[id="${target}"]`).innerText(), /June 2023/);
  await assertAccessible(clerk, 'review with the minutes marked and the action picker');

  // The picker lists the plan's actions by plan; the clerk picks one.
  const picker = promise.getByLabel('The action it concerns');
  assert.match(await picker.locator('option:checked').innerText(), /^10A: /, 'the action the minutes name is chosen');
  const groups = await picker.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.match(groups[0], /ACH 2022\/23 \(the plan this item's report covers\)/);
  const labels = await picker.locator('optgroup').first().locator('option').allInnerTexts();
  const other = labels.find((l) => l.startsWith('9E: ')) ?? labels.find((l) => !l.startsWith('10A: '));
  await picker.selectOption({ label: other });
  await picker.selectOption({ label: labels.find((l) => l.startsWith('10A: ')) });
  await clerk.getByRole('button', { name: 'Accept into the record' }).click();

  // A banner says what was recorded, and the clerk is asked to publish.
  const banner = clerk.locator('.govuk-notification-banner--success');
  await banner.waitFor();
  assert.match(await banner.innerText(), /1 promise, 1 question and 1 resolution recorded for item 5/);
  await clerk.getByRole('heading', { name: "Publish the meeting's record" }).waitFor();
  const item = clerk.locator('section', { has: clerk.getByRole('heading', { name: 'Item 5: Carers Strategy' }) });
  const text = await item.innerText();
  assert.match(text, /Councillor Smith asked when the carers action plan would be published/);
  assert.match(text, /Asked by Councillor Smith\. Answered by Assistant Director for Integrated Commissioning\./);
  assert.match(text, /Action: 10A: /);
  await assertAccessible(clerk, 'meeting page with the banner and the prompt to publish');
  assert.equal((await publicPage.goto(meetingURL)).status(), 404, 'not yet published');

  await clerk.getByRole('button', { name: "Publish the meeting's record" }).click();
  await clerk.locator('.govuk-notification-banner--success').getByText(/the public can now see it/).waitFor();
  assert.doesNotMatch(await mainText(clerk), /Not published/);
  await assertAccessible(clerk, 'meeting page after publishing');
});

test('the clerk filters the log of promises and downloads the matters arising as CSV', async () => {
  await clerk.goto(committeeURL);
  await clerk.getByLabel('Promise status').selectOption('overdue');
  await clerk.getByRole('button', { name: 'Filter the log' }).click();
  await clerk.getByText(/^Showing \d+ of \d+ promises/).waitFor();
  const log = clerk.getByRole('table', { name: /Promises made to the committee/ });
  const rows = await log.locator('tbody tr').allInnerTexts();
  assert.ok(rows.length > 0);
  for (const row of rows) assert.match(row, /Overdue/);
  await assertAccessible(clerk, 'the log of promises filtered');

  await clerk.getByLabel('Promise status').selectOption('');
  await clerk.getByLabel('Owner').selectOption({ label: 'Assistant Director for Integrated Commissioning' });
  await clerk.getByRole('button', { name: 'Filter the log' }).click();
  const owned = await log.locator('tbody tr').allInnerTexts();
  assert.ok(owned.some((r) => r.includes(PROMISE)), 'the new promise is the owner\'s');
  assert.match(await log.innerText(), /No date set|Due/);

  const [download] = await Promise.all([
    clerk.waitForEvent('download'),
    clerk.getByRole('link', { name: 'CSV file of the promises', exact: true }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^promises-committee-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-promises-'));
  try {
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.match(lines[0], /^Promise,Owner,Due,Status,Made at,Action/);
    assert.ok(lines.some((l) => l.includes(PROMISE) && l.includes('Assistant Director for Integrated Commissioning')), lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the public reads the published meeting with its report pack', async () => {
  assert.equal((await publicPage.goto(meetingURL)).status(), 200);
  const item = publicPage.locator('section', { has: publicPage.getByRole('heading', { name: 'Item 5: Carers Strategy' }) });
  assert.match(await item.innerText(), new RegExp(PROMISE));
  assert.equal(await publicPage.getByRole('button', { name: "Publish the meeting's record" }).count(), 0);
  const pack = item.getByRole('link', { name: /^HTML/ });
  const href = await pack.getAttribute('href');
  assert.match(href, /\/plans\/ACH\/2022-23\/periods\/H2\/report/);
  await assertAccessible(publicPage, 'published meeting page for the public');
  const res = await publicPage.request.get(base + href);
  assert.equal(res.status(), 200, 'the published plan\'s pack is public');
});
