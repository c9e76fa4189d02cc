// The committee's record in a browser: the log of promises shows what is
// open and overdue; a clerk records a meeting and an agenda item, pastes its
// minutes, reviews what was found beside the text, corrects it and accepts
// it; the promise then shows on the meeting, the committee and the action's
// page, and the clerk records its delivery; the committee's members show to
// the public, who cannot change them. Every page meets WCAG 2.2 AA as far as
// axe can tell.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ACCOUNTS, ambitBinary, assertAccessible, fillDate, launchBrowser, repoRoot, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let clerk;
let publicPage;
let meetingURL; // the meeting the clerk records

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

const MINUTES = `Report ACH23-012

With regards to Ambition 2 – Action Point 10A: Develop a new support offer to help and sustain unpaid carers including young carers, Councillor Smith asked when the carers action plan would be published. The Assistant Director for Integrated Commissioning said that the action plan would be brought to the Committee in June 2023.

RESOLVED that the Bromley Carers Strategy be noted.`;

test('the public sees the log of promises, overdue first', async () => {
  await publicPage.goto(`${base}/b/bromley`);
  await publicPage.getByRole('link', { name: /Committees, their meetings and the log of promises/ }).click();
  await assertAccessible(publicPage, 'committees page');
  await publicPage.getByRole('link', { name: /Adult Care and Health Policy Development and Scrutiny Committee/ }).click();
  const log = publicPage.getByRole('table', { name: /Promises made to the committee/ });
  const first = await log.getByRole('row').nth(1).innerText();
  assert.match(first, /Overdue/);
  await assertAccessible(publicPage, 'committee page with the log of promises');
  await publicPage.getByRole('link', { name: /29 November 2022/ }).first().click();
  await publicPage.getByRole('heading', { name: /Item 7/ }).waitFor();
  await assertAccessible(publicPage, 'meeting page with minutes and findings');
});

test('a clerk reviews extracted minutes, corrects them and accepts them', async () => {
  await clerk.goto(`${base}/b/bromley/committees`);
  await clerk.getByRole('link', { name: /Adult Care and Health Policy Development and Scrutiny Committee/ }).click();
  await fillDate(clerk, /^Date$/, '2023-03-21');
  await clerk.getByLabel('Venue').fill('Committee Room 1');
  await clerk.getByLabel('Status', { exact: true }).selectOption('held');
  await clerk.getByLabel(/Publish it/).check();
  await clerk.getByRole('button', { name: 'Add the meeting' }).click();
  await clerk.getByRole('heading', { level: 1, name: /21 March 2023/ }).waitFor();
  meetingURL = clerk.url();
  await assertAccessible(clerk, 'new meeting page with the agenda form');

  await clerk.getByLabel('Item number').fill('5');
  await clerk.getByLabel('Title').fill('Carers Strategy');
  await clerk.getByLabel(/Report it considers/).fill('ACH23-012');
  await clerk.getByLabel(/The plan and half-year/).selectOption({ label: 'ACH 2022/23 H2' });
  await clerk.getByRole('button', { name: 'Add the item' }).click();
  await clerk.getByRole('link', { name: 'Add the minutes of item 5' }).click();
  await assertAccessible(clerk, 'paste the minutes');

  await clerk.getByLabel('Paste the minutes of this item').fill(MINUTES);
  await clerk.getByRole('button', { name: /Find the questions, promises and resolutions/ }).click();
  await clerk.getByRole('heading', { name: 'The minutes' }).waitFor();
  await assertAccessible(clerk, 'review of what the minutes say');
  assert.equal(await clerk.locator('#c-0-text').inputValue(), 'the action plan would be brought to the Committee in June 2023');
  assert.equal(await clerk.locator('#c-0-due').inputValue(), '2023-06');
  assert.match(await clerk.locator('#c-0-action option:checked').innerText(), /^10A: /, 'the action the minutes name is chosen');

  // A mistake is caught and named, and nothing is recorded.
  await clerk.locator('#c-0-due').fill('soon');
  await clerk.getByRole('button', { name: 'Accept into the record' }).click();
  await clerk.getByText('Promise 1: the due date must be').first().waitFor();
  await assertAccessible(clerk, 'review showing an error');

  // The clerk corrects it.
  assert.match(await clerk.locator('#c-0-action option:checked').innerText(), /^10A: /, 'the choice is kept');
  await clerk.locator('#c-0-due').fill('2023-06-30');
  await clerk.getByRole('button', { name: 'Accept into the record' }).click();
  await clerk.getByRole('heading', { name: 'Item 5: Carers Strategy' }).waitFor();
  const item = clerk.locator('section', { has: clerk.getByRole('heading', { name: 'Item 5: Carers Strategy' }) });
  const text = await item.innerText();
  assert.match(text, /the action plan would be brought to the Committee in June 2023/);
  assert.match(text, /Councillor Smith asked/);
  assert.match(text, /That the Bromley Carers Strategy be noted/);
  // The promise links to the sentence it came from.
  const source = item.locator('li[id^="promise-"] a[href^="#s-"]');
  const target = (await source.getAttribute('href')).slice(1);
  assert.match(await clerk.locator(`[id="${target}"]`).innerText(), /brought to the Committee in June 2023/);
  await assertAccessible(clerk, 'meeting page after accepting the minutes');

  // Nothing is assumed: recording it with nothing chosen says what is needed.
  await item.getByText('Record that this promise was delivered or withdrawn').click();
  assert.equal(await item.getByLabel('Delivered', { exact: true }).isChecked(), false, 'no outcome is chosen for the clerk');
  await item.getByRole('button', { name: 'Record it' }).click();
  const summary = clerk.locator('.govuk-error-summary');
  await summary.waitFor();
  const problems = await summary.innerText();
  assert.match(problems, /Choose whether the promise was delivered or withdrawn/);
  assert.match(problems, /Say how the promise was delivered/);
  assert.match(problems, /Enter the day the promise was delivered or withdrawn/);
  await assertAccessible(clerk, 'meeting page: a promise recorded with nothing entered');
  await item.getByText('Record that this promise was delivered or withdrawn').click();
  await item.getByLabel('Delivered', { exact: true }).check();
  await item.getByLabel(/How it was delivered/).fill('The action plan was reported to the Committee on 29 June 2023.');
  const on = item.getByRole('group', { name: 'On' });
  await on.getByLabel('Day').fill('29');
  await on.getByLabel('Month').fill('6');
  await on.getByLabel('Year').fill('2023');
  await item.getByRole('button', { name: 'Record it' }).click();
  await clerk.getByText('29 June 2023: The action plan was reported to the Committee on 29 June 2023.').waitFor();
});

test('a clerk uploads the HTML of a committee-system page for review', async () => {
  await clerk.goto(meetingURL);
  await clerk.getByLabel('Item number').fill('6');
  await clerk.getByLabel('Title').fill('Housing allocations');
  await clerk.getByRole('button', { name: 'Add the item' }).click();
  await clerk.getByRole('link', { name: 'Add the minutes of item 6' }).click();
  await clerk.getByLabel(/A file of the minutes/).setInputFiles(
    path.join(repoRoot, 'crates/minutes/tests/fixtures/eastmere_housing_panel.html'),
  );
  await clerk.getByRole('button', { name: 'Upload and find what they say' }).click();
  await clerk.getByRole('heading', { name: 'Promises (2 proposed)' }).waitFor();
  assert.equal(
    await clerk.locator('#c-0-text').inputValue(),
    'Officers undertook to provide a breakdown of the figures by ward to Members',
  );
  // Each proposal says why it was found and how sure the extractor is.
  assert.match(await clerk.locator('#c-0-why').innerText(), /Found by “undertook to provide”, \d+% sure/);
  assert.equal(await clerk.locator('#c-0-accept').isChecked(), true, 'a confident proposal is ticked');
  // A possible promise is shown apart, unticked: the clerk leaves it out.
  await clerk.getByRole('heading', { name: 'Possible promises (1)' }).waitFor();
  const possible = clerk.getByRole('group', { name: 'Possible promise 1' });
  assert.match(await possible.getByRole('textbox', { name: 'What was promised' }).inputValue(), /waiting list figures would be looked into/);
  assert.equal(await possible.getByRole('checkbox', { name: 'Record this promise' }).isChecked(), false);
  assert.doesNotMatch(await clerk.locator('main').innerText(), /<p>|&amp;/, 'the HTML is read as text');
  await assertAccessible(clerk, 'review of uploaded HTML minutes');

  // This item covers no plan, so the codes the minutes mention are not linked.
  for (const field of await clerk.locator('select[name$="-action"]').all()) await field.selectOption('');
  await clerk.getByRole('button', { name: 'Accept into the record' }).click();
  await clerk.getByRole('heading', { name: 'Item 6: Housing allocations' }).waitFor();
  const promises = (await clerk.locator('li[id^="promise-"]').allInnerTexts()).join('\n');
  assert.match(promises, /breakdown of the figures by ward/, 'the proposal was recorded');
  assert.doesNotMatch(promises, /waiting list figures/, 'the possible promise was left out');

  // The clerk's decisions are kept: the corpus export of the reviewed minutes
  // lists the promise recorded and names the possible one left out.
  const out = await mkdtemp(path.join(os.tmpdir(), 'ambit-corpus-'));
  try {
    const run = spawnSync(ambitBinary(), ['--db', server.db, '--body', 'bromley', 'minutes', 'corpus', 'export', out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const golds = (await readdir(path.join(out, 'gold'))).map((f) => path.join(out, 'gold', f));
    const decided = await Promise.all(golds.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
    const housing = decided.find((g) => g.commitments.some((c) => /breakdown of the figures by ward/.test(c.quote)));
    assert.ok(housing, `the accepted promise is in the exported corpus: ${JSON.stringify(decided)}`);
    assert.match(housing.notes, /waiting list figures would be looked into/, 'the proposal the clerk left out is named');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a clerk keeps the committee, its members and its meetings up to date', async () => {
  await clerk.goto(`${base}/b/bromley/committees`);
  await clerk.getByRole('link', { name: /Adult Care and Health Policy Development and Scrutiny Committee/ }).click();
  const committeeURL = clerk.url();
  await clerk.getByRole('link', { name: /Edit the committee/ }).click();
  await assertAccessible(clerk, 'committee form');
  assert.equal(await clerk.getByLabel(/Adult Care and Health \(ACH\)/).isChecked(), true);
  await clerk.getByLabel('Clerk (optional)').fill('Democratic Services (Committee Clerk)');
  await clerk.getByRole('button', { name: 'Save changes' }).click();
  await clerk.getByText('Democratic Services (Committee Clerk)').waitFor();

  await clerk.getByLabel('Name', { exact: true }).fill('Councillor Ann Lee');
  await clerk.getByLabel('Role').selectOption('chair');
  await fillDate(clerk, /Term starts/, '2022-05-05');
  await clerk.getByRole('button', { name: 'Add the member' }).click();
  await clerk.getByRole('link', { name: /Change Councillor Ann Lee/ }).click();
  await assertAccessible(clerk, 'member form');
  await fillDate(clerk, /Term ends/, '2021-01-01');
  await clerk.getByRole('button', { name: 'Save changes' }).click();
  await clerk.getByText('The end of the term must be after its start').first().waitFor();
  await assertAccessible(clerk, 'member form showing an error');
  await fillDate(clerk, /Term ends/, '2024-05-01');
  await clerk.getByRole('button', { name: 'Save changes' }).click();
  const row = clerk.getByRole('row', { name: /Councillor Ann Lee/ });
  assert.match(await row.innerText(), /Not serving/);
  await assertAccessible(clerk, 'committee page with members');

  // Members are public: the public reads the same row, with nothing to change it.
  await publicPage.goto(committeeURL);
  const seen = publicPage.getByRole('row', { name: /Councillor Ann Lee/ });
  assert.match(await seen.innerText(), /Chair.*5 May 2022 to 1 May 2024.*Not serving/s);
  assert.equal(await publicPage.getByRole('link', { name: /Change Councillor Ann Lee/ }).count(), 0, 'no change link for the public');
  assert.equal(await publicPage.getByRole('button', { name: 'Add the member' }).count(), 0, 'no add-member form for the public');
  await assertAccessible(publicPage, 'committee page with members (public)');

  // A scheduled, unpublished meeting is held and published.
  await clerk.goto(committeeURL);
  await fillDate(clerk, /^Date$/, '2025-01-14');
  await clerk.getByRole('button', { name: 'Add the meeting' }).click();
  await clerk.getByRole('heading', { level: 1, name: /14 January 2025/ }).waitFor();
  const url = clerk.url();
  assert.equal((await publicPage.goto(url)).status(), 404);
  await clerk.getByRole('link', { name: /Edit the meeting/ }).click();
  await assertAccessible(clerk, 'meeting form');
  await clerk.getByLabel('Status', { exact: true }).selectOption('held');
  await clerk.getByLabel(/Publish it/).check();
  await clerk.getByRole('button', { name: 'Save changes' }).click();
  await clerk.getByRole('heading', { level: 1, name: /14 January 2025/ }).waitFor();
  assert.equal((await publicPage.goto(url)).status(), 200);
  assert.match(await publicPage.locator('main').innerText(), /Held\./);
});
