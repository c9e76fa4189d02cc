// Importing a plan from a spreadsheet in a browser: an officer uploads a
// council's tracker, maps its Notes column, sees the preview, is shown
// every problem of a bad file in an error summary, confirms the good one
// and sees the plan with a banner. Every step meets WCAG 2.2 AA as far as
// axe can tell.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import path from 'node:path';

import { ACCOUNTS, assertAccessible, launchBrowser, repoRoot, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let officer;

const IMPORT = '/b/northmoor/plans/HSG/2025-26/import';
const fixture = (name) => path.join(repoRoot, 'tests', 'browser', 'fixtures', name);

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  officer = (await signedInPage(browser, base, ACCOUNTS.northmoorOfficer)).page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a bad tracker shows every problem in an error summary', async () => {
  await officer.goto(`${base}${IMPORT}`);
  await assertAccessible(officer, 'upload step');
  await officer.getByLabel('Spreadsheet').setInputFiles(fixture('housing-tracker-bad.csv'));
  await officer.getByRole('button', { name: 'Upload and continue' }).click();
  await officer.getByRole('heading', { name: 'Match the columns' }).waitFor();
  await officer.getByLabel('What the column Notes holds').selectOption('ignore');
  await officer.getByRole('button', { name: 'Check the import' }).click();
  const summary = officer.locator('.govuk-error-summary');
  await summary.waitFor();
  const links = summary.getByRole('link');
  assert.equal(await links.count(), 2);
  assert.match(await summary.innerText(), /31\/13\/2025/);
  assert.match(await summary.innerText(), /Purple/);
  assert.equal(await links.first().getAttribute('href'), '#problem-1');
  await officer.locator('#problem-1').waitFor();
  await assertAccessible(officer, 'preview with problems');
});

test('an officer uploads a tracker, maps a column, previews and imports it', async () => {
  await officer.goto(`${base}${IMPORT}`);
  await officer.getByLabel('Spreadsheet').setInputFiles(fixture('housing-tracker.csv'));
  await officer.getByRole('button', { name: 'Upload and continue' }).click();
  await officer.getByRole('heading', { name: 'Match the columns' }).waitFor();
  await assertAccessible(officer, 'mapping step');
  await officer.getByLabel('What the column Notes holds').selectOption('ignore');
  await officer.getByRole('button', { name: 'Check the import' }).click();
  await officer.getByRole('heading', { name: 'Check the import' }).waitFor();
  const summary = officer.getByRole('table', { name: 'Summary' });
  assert.match(await summary.getByRole('row', { name: /Actions/ }).innerText(), /2/);
  await assertAccessible(officer, 'preview step');
  await officer.getByRole('button', { name: 'Import' }).click();
  await officer.locator('.govuk-notification-banner').waitFor();
  assert.match(await officer.locator('.govuk-notification-banner').innerText(), /Imported housing-tracker\.csv: 2 actions created/);
  await officer.getByText('Inspect every licensed HMO').first().waitFor();
  await assertAccessible(officer, 'plan after the import');
  await officer.getByRole('link', { name: 'Import a plan from a spreadsheet' }).click();
  await officer.getByRole('heading', { name: 'Import a plan from a spreadsheet' }).waitFor();
});
