// The main journeys, as people would make them: an action lead records an
// update on an unpublished plan, an officer edits an action and publishes the
// plan, and the public sees it only once it is published. The tests run in
// order and build on each other.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  ACCOUNTS, LEAD_ROLE, PLANS, ambitBinary, findAction, launchBrowser, mainText, signIn, startAmbit,
} from './support.mjs';

/** Run `ambit` on the served database, as an officer at the command line would. */
function ambit(...args) {
  const run = spawnSync(ambitBinary(), ['--db', server.db, ...args]);
  assert.equal(run.status, 0, String(run.stderr));
}

const COMMENTARY = 'Carers Strategy action plan agreed <script>alert(1)</script> & Welsh ŵ';

let server;
let browser;
let base;
let mine; // 2024/25 6A, led by the demo lead
let mineToo; // 2024/25 6C, also led by the demo lead
let notMine; // 2024/25 6B, led by someone else
let toRename; // 2024/25 8A, edited by the officer
let shared; // 2024/25 9D, led by the demo lead, updated by two people at once
let lead; // the lead's page, signed in during the journey
const dialogs = [];

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  // Look the actions up as an administrator, in a context of its own.
  const admin = await browser.newContext();
  const page = await admin.newPage();
  await signIn(page, base, ACCOUNTS.admin);
  mine = await findAction(page, base, PLANS.y2024, '6A');
  mineToo = await findAction(page, base, PLANS.y2024, '6C');
  notMine = await findAction(page, base, PLANS.y2024, '6B');
  toRename = await findAction(page, base, PLANS.y2024, '8A');
  shared = await findAction(page, base, PLANS.y2024, '9D');
  assert.equal(mine.lead, LEAD_ROLE);
  assert.equal(mineToo.lead, LEAD_ROLE);
  assert.notEqual(notMine.lead, LEAD_ROLE);
  assert.equal(shared.lead, LEAD_ROLE);
  await admin.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function publicPage() {
  const context = await browser.newContext();
  return context.newPage();
}

/** The update card for `period` ("H1 2024/25") on an action page. */
function updateCard(page, period) {
  return page.locator('.govuk-summary-card').filter({
    has: page.locator('.govuk-summary-card__title', { hasText: period }),
  });
}

test('the public cannot see the unpublished 2024/25 plan nor its actions', async () => {
  const page = await publicPage();
  let res = await page.goto(base + PLANS.y2024);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  res = await page.goto(base + mine.href);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await page.goto(`${base}/b/bromley`);
  const home = await mainText(page);
  assert.match(home, /plan 2022\/23/);
  assert.doesNotMatch(home, /2024\/25/, 'the body home page does not list the unpublished plan');
  await page.context().close();
});

test('the action lead signs in and records an update; the text is shown as typed', async () => {
  const context = await browser.newContext();
  lead = await context.newPage();
  lead.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await signIn(lead, base, ACCOUNTS.lead);
  assert.match(await lead.locator('header').innerText(), /Action lead/);

  await lead.goto(base + PLANS.y2024);
  await lead.getByText('This plan is not published').waitFor();
  await lead.getByRole('link', { name: mine.title, exact: true }).click();
  await lead.waitForURL(base + mine.href);
  await lead.getByRole('button', { name: 'Record the update for H1 2024/25' }).click();
  await lead.waitForURL(`${base}${mine.href}/updates/H1`);

  await lead.getByLabel('On track').check();
  await lead.getByLabel('Percentage complete (optional)').fill('20');
  await lead.getByLabel('Commentary').fill(COMMENTARY);
  await lead.getByRole('button', { name: 'Save update' }).click();
  await lead.waitForURL((u) => u.pathname === mine.href);

  const card = updateCard(lead, 'H1 2024/25');
  assert.equal(await card.count(), 1, 'the H1 2024/25 update is listed');
  assert.equal((await card.locator('.govuk-tag').first().textContent()).trim(), 'On track');
  assert.equal((await card.locator('.ambit-commentary').textContent()).trim(), COMMENTARY);
  assert.match(await card.innerText(), /20%/);
  assert.match(await card.innerText(), /Reported by\s+Demo action lead,/);
  assert.equal(await lead.locator('main script').count(), 0, 'no script element was injected');
  const scripts = await lead.locator('script').evaluateAll((s) => s.map((e) => e.getAttribute('src')));
  assert.equal(scripts.length, 1, 'the page has only its own script');
  assert.match(scripts[0], /^\/assets\/init\.[0-9a-f]+\.js$/, 'its own script, fingerprinted');
  assert.deepEqual(dialogs, [], 'no alert was shown');

  // The plan page shows the new status too.
  await lead.goto(base + PLANS.y2024);
  const row = lead.locator('main tbody tr').filter({ has: lead.getByRole('link', { name: mine.title, exact: true }) });
  assert.equal((await row.locator('td').nth(4).locator('.govuk-tag').textContent()).trim(), 'On track');
});

test('an invalid percentage shows the error summary and keeps what was typed', async () => {
  await lead.goto(`${base}${mineToo.href}/updates/H1`);
  await lead.getByLabel('At risk').check();
  await lead.getByLabel('Percentage complete (optional)').fill('140');
  await lead.getByLabel('Commentary').fill('Venues found for two of the three schemes — keep this text');
  await lead.getByRole('button', { name: 'Save update' }).click();

  const summary = lead.locator('.govuk-error-summary');
  await summary.waitFor();
  await lead.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
  assert.match(await summary.locator('.govuk-error-summary__title').textContent(), /There is a problem/);
  assert.match(await lead.title(), /^Error: /);
  const link = summary.getByRole('link');
  assert.equal(await link.count(), 1, 'one error is listed');
  assert.equal(await link.getAttribute('href'), '#percent');
  assert.match(await link.textContent(), /percent/i);
  assert.match(await lead.locator('#percent-error').textContent(), /percent/i);
  assert.equal(await lead.getByLabel('Commentary').inputValue(), 'Venues found for two of the three schemes — keep this text');
  assert.equal(await lead.getByLabel('Percentage complete (optional)').inputValue(), '140');
  assert.ok(await lead.getByLabel('At risk').isChecked(), 'the chosen status is kept');

  await link.click();
  assert.equal(await lead.evaluate(() => document.activeElement?.id), 'percent', 'the summary link moves focus to the field');

  await lead.goto(base + mineToo.href);
  assert.match(await mainText(lead), /No updates have been recorded yet/, 'nothing was saved');
});

test('the action lead cannot edit actions nor update actions they do not lead', async () => {
  await lead.goto(base + mine.href);
  assert.equal(await lead.getByRole('button', { name: 'Edit this action' }).count(), 0);
  let res = await lead.goto(`${base}${mine.href}/edit`);
  assert.equal(res.status(), 403);
  await lead.getByRole('heading', { level: 1, name: /permission/ }).waitFor();

  await lead.goto(base + notMine.href);
  assert.equal(await lead.getByRole('button', { name: /Record the update/ }).count(), 0);
  res = await lead.goto(`${base}${notMine.href}/updates/H1`);
  assert.equal(res.status(), 403);
  await lead.getByRole('heading', { level: 1, name: /permission/ }).waitFor();
});

/**
 * The officer and the lead open the same update form; the officer saves, then
 * the lead saves. The lead must be told, and the officer's update must stay.
 */
async function saveFromTwoForms(half) {
  const context = await browser.newContext();
  const officer = await context.newPage();
  await signIn(officer, base, ACCOUNTS.officer);
  const form = `${base}${shared.href}/updates/${half}`;
  await officer.goto(form);
  await lead.goto(form);

  await officer.getByLabel('On track').check();
  await officer.getByLabel('Commentary').fill(`Officer's ${half} update`);
  await officer.getByRole('button', { name: 'Save update' }).click();
  await officer.waitForURL((u) => u.pathname === shared.href);

  await lead.getByLabel('At risk').check();
  await lead.getByLabel('Commentary').fill(`Lead's ${half} update, from a form opened earlier`);
  await lead.getByRole('button', { name: 'Save update' }).click();
  await lead.waitForLoadState();
  const told = await lead.locator('.govuk-error-summary').count();

  await officer.goto(base + shared.href);
  const card = updateCard(officer, `${half} 2024/25`);
  const kept = (await card.locator('.ambit-commentary').textContent()).trim();
  await context.close();
  assert.equal(
    told,
    1,
    `the lead's save over the officer's newer ${half} update should be refused with an error summary; instead the browser went to ${lead.url()} and the action page now shows ${JSON.stringify(kept)}`,
  );
  assert.match(await lead.locator('.govuk-error-summary').innerText(), /Someone else changed/);
  assert.equal(kept, `Officer's ${half} update`, "the officer's update is not lost");
  assert.equal(await lead.getByLabel('Commentary').inputValue(), `Lead's ${half} update, from a form opened earlier`, 'what the lead typed is kept');
}

test('a stale save of an existing update is refused', async () => {
  // H2 is opened for updates (H1 goes on being recorded as reported), so
  // 9D's H2 update is a draft that both forms below start from.
  ambit('--body', 'bromley', 'body', 'settings', '--updates-outside-cycle', 'allow');
  ambit('period', 'open', 'ACH', '2024/25', 'H2', '--deadline', '2025-04-15');
  // Give 9D an H2 update first, so both forms below start from it.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, ACCOUNTS.admin);
  await page.goto(`${base}${shared.href}/updates/H2`);
  await page.getByLabel('Not started').check();
  await page.getByRole('button', { name: 'Save update' }).click();
  await page.waitForURL((u) => u.pathname === shared.href);
  await context.close();
  await saveFromTwoForms('H2');
});

test('a stale save of a first update is refused (two people filling in the empty form)', async () => {
  await saveFromTwoForms('H1');
});

test('a performance officer edits an action title; the page and its history show it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, ACCOUNTS.officer);
  const newTitle = `${toRename.title} (revised “ŵ” & <b>bold</b>)`;

  await page.goto(base + toRename.href);
  await page.getByRole('button', { name: 'Edit this action' }).click();
  await page.waitForURL(`${base}${toRename.href}/edit`);
  assert.equal(await page.getByLabel('Action', { exact: true }).inputValue(), toRename.title);
  await page.getByLabel('Action', { exact: true }).fill(newTitle);
  await page.getByLabel('Reason for amending the approved plan').fill('The committee asked for a clearer title');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(base + toRename.href);
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), `8A: ${newTitle}`);

  await page.getByRole('link', { name: 'History of this action' }).click();
  await page.waitForURL(`${base}/b/bromley/audit/action/${toRename.id}`);
  const newest = page.locator('main .govuk-summary-card').first();
  assert.match(await newest.locator('.govuk-summary-card__title').textContent(), /^Amended after approval by Demo performance officer <officer@bromley\.example>/);
  const row = newest.locator('.govuk-summary-list__row').filter({ has: page.locator('dt', { hasText: /^Title$/ }) });
  assert.equal(await row.count(), 1, 'the title change is in the history under its own name');
  const change = (await row.locator('dd').innerText()).replace(/\s+/g, ' ').trim();
  assert.equal(change, `Changed from ${toRename.title} → to ${newTitle}`, 'read aloud as "changed from … to …"');
  assert.doesNotMatch(await page.locator('main').innerText(), /[a-z]+_[a-z]+|[{}]/, 'no raw field names or JSON');

  await page.goto(base + PLANS.y2024);
  assert.equal(await page.getByRole('link', { name: newTitle, exact: true }).count(), 1, 'the plan lists the new title');
  await context.close();
});

test('the officer publishes 2024/25 and the public then sees the plan and the update', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, ACCOUNTS.officer);
  await page.goto(base + PLANS.y2024);
  await page.getByRole('button', { name: 'Publish this plan' }).click();
  await page.getByRole('button', { name: 'Withdraw from public pages' }).waitFor();
  assert.equal(page.url(), base + PLANS.y2024);
  assert.equal(await page.getByText('This plan is not published').count(), 0);
  await context.close();

  const pub = await publicPage();
  const res = await pub.goto(base + PLANS.y2024);
  assert.equal(res.status(), 200);
  assert.match(await pub.locator('header').innerText(), /Sign in/);
  assert.equal(await pub.getByRole('button', { name: /Publish|Withdraw/ }).count(), 0);
  const row = pub.locator('main tbody tr').filter({ has: pub.getByRole('link', { name: mine.title, exact: true }) });
  assert.equal((await row.locator('td').nth(4).locator('.govuk-tag').textContent()).trim(), 'On track');

  await pub.getByRole('link', { name: mine.title, exact: true }).click();
  await pub.waitForURL(base + mine.href);
  const card = updateCard(pub, 'H1 2024/25');
  assert.equal((await card.locator('.govuk-tag').first().textContent()).trim(), 'On track');
  assert.equal((await card.locator('.ambit-commentary').textContent()).trim(), COMMENTARY);
  assert.equal(await pub.getByRole('button', { name: /Record the update|Edit this action/ }).count(), 0);
  assert.equal(await pub.getByRole('link', { name: /History of this/ }).count(), 0);

  await pub.goto(`${base}/b/bromley`);
  assert.match(await mainText(pub), /plan 2024\/25/);
  await pub.context().close();
});

test('the public downloads the published plan from its page, and the file imports', async () => {
  const pub = await publicPage();
  await pub.goto(base + PLANS.y2024);
  await pub.getByRole('heading', { name: 'Download this plan' }).waitFor();
  const [download] = await Promise.all([
    pub.waitForEvent('download'),
    pub.getByRole('link', { name: /^Excel \(\.xlsx\)/ }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'bromley-ACH-2024-25.xlsx');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambit-download-'));
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK', 'an xlsx is a zip');
  // Read back by the import's own reader: a dry run over the served plan.
  const run = spawnSync(ambitBinary(), ['--db', server.db, 'import', 'plan', file, '--dry-run']);
  assert.equal(run.status, 0, String(run.stderr));
  assert.match(String(run.stdout), /Dry run of bromley-ACH-2024-25\.xlsx into bromley ACH 2024\/25/);
  rmSync(dir, { recursive: true, force: true });
  await pub.context().close();
});

test('signing out ends the session', async () => {
  await lead.goto(base + mine.href);
  const cookies = await lead.context().cookies();
  assert.ok(cookies.some((c) => c.name === 'ambit_session'), 'signed in with a session cookie');
  await lead.getByRole('button', { name: 'Sign out' }).click();
  await lead.waitForURL(`${base}/b/bromley`);
  const header = await lead.locator('header').innerText();
  assert.doesNotMatch(header, /Signed in as/);
  await lead.locator('header').getByRole('link', { name: 'Sign in' }).waitFor();

  // The H2 update form now asks to sign in again.
  await lead.goto(`${base}${mine.href}/updates/H2`);
  assert.equal(new URL(lead.url()).pathname, '/sign-in');
  assert.equal(new URL(lead.url()).searchParams.get('next'), `${mine.href}/updates/H2`);
  await lead.context().close();

  // The old session cookie no longer signs anyone in.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const page = await replay.newPage();
  await page.goto(`${base}${mine.href}/updates/H2`);
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'the old session cookie was ended');

  // Signing in again from there returns to the form asked for.
  await page.getByLabel('Email address').fill(ACCOUNTS.lead.email);
  await page.getByLabel('Password').fill(ACCOUNTS.lead.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}${mine.href}/updates/H2`);
  await page.getByLabel('Commentary').waitFor();
  assert.match(await mainText(page), /H2 2024\/25 is open/, 'the form for the open half-year');
  await replay.close();
});
