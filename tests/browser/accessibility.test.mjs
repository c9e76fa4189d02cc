// Every kind of page meets WCAG 2.2 AA as far as axe can tell: public and
// signed-in pages, forms empty and showing errors, and the error pages.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  ACCOUNTS, LEAD_ROLE, PLANS, ambitBinary, assertAccessible, findAction, launchBrowser, signedInPage, startAmbit,
} from './support.mjs';

let server;
let browser;
let base;
let publicPage;
let officer;
let lead;
let admin;
let charted; // 2022/23 6A: numeric measures with figures, several updates
let leads2024; // 2024/25 6A: led by the demo lead, no updates yet
let notLeads2024; // 2024/25 6B: led by someone else

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  publicPage = await (await browser.newContext()).newPage();
  officer = (await signedInPage(browser, base, ACCOUNTS.officer)).page;
  lead = (await signedInPage(browser, base, ACCOUNTS.lead)).page;
  admin = (await signedInPage(browser, base, ACCOUNTS.admin)).page;
  charted = await findAction(publicPage, base, PLANS.y2022, '6A');
  leads2024 = await findAction(officer, base, PLANS.y2024, '6A');
  notLeads2024 = await findAction(officer, base, PLANS.y2024, '6B');
  assert.equal(leads2024.lead, LEAD_ROLE);
  assert.notEqual(notLeads2024.lead, LEAD_ROLE);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(page, path, status = 200) {
  const res = await page.goto(base + path);
  assert.equal(res.status(), status, `GET ${path} should answer ${status}`);
  return res;
}

test('body home page, public', async () => {
  await open(publicPage, '/b/bromley');
  await publicPage.getByRole('heading', { level: 1, name: 'London Borough of Bromley' }).waitFor();
  await assertAccessible(publicPage, 'body home page (public)');
});

test('body home page, signed in', async () => {
  await open(officer, '/b/bromley');
  assert.match(await officer.locator('main').innerText(), /Not published/);
  await assertAccessible(officer, 'body home page (signed in)');
});

test('plan page, public', async () => {
  await open(publicPage, PLANS.y2022);
  assert.equal(await publicPage.locator('main svg.ambit-chart').count(), 1, 'the summary chart is shown');
  await publicPage.getByRole('heading', { name: 'Download this plan' }).waitFor();
  assert.equal(await publicPage.getByRole('link', { name: /download of this plan/ }).count(), 4, 'Excel, CSV, JSON and StratML');
  await assertAccessible(publicPage, 'plan page (public)');
});

test('plan page, signed in (unpublished plan with its Publish button)', async () => {
  await open(officer, PLANS.y2024);
  await officer.getByRole('button', { name: 'Publish this plan' }).waitFor();
  await assertAccessible(officer, 'plan page (signed in)');
});

test('plan page with a filter applied', async () => {
  await open(publicPage, `${PLANS.y2022}?lead=${encodeURIComponent(LEAD_ROLE)}&status=on_track`);
  const text = await publicPage.locator('main').innerText();
  assert.match(text, /Showing \d+ of 23 actions/);
  assert.doesNotMatch(text, /Showing 23 of 23/);
  await publicPage.getByRole('link', { name: 'Clear filters' }).waitFor();
  await assertAccessible(publicPage, 'plan page (filtered)');
});

test('plan page for one period (period=H1)', async () => {
  await open(publicPage, `${PLANS.y2022}?period=H1`);
  assert.equal(await publicPage.locator('#period').inputValue(), 'H1');
  assert.match(await publicPage.locator('main').innerText(), /In H1 2022\/23/);
  await assertAccessible(publicPage, 'plan page (period H1)');
});

for (const who of ['public', 'officer']) {
  test(`action page with a chart, ${who}`, async () => {
    const page = who === 'public' ? publicPage : officer;
    await open(page, charted.href);
    const chart = page.locator('main svg.ambit-chart[role=img]');
    assert.ok(await chart.count() >= 1, 'an indicator chart is drawn');
    assert.match(await chart.first().locator('title').textContent(), /\S/, 'the chart has a title');
    assert.ok(await page.locator('main .govuk-summary-card').count() >= 1, 'updates are listed');
    await assertAccessible(page, `action page (${who})`);
  });
}

test('update form, empty', async () => {
  await open(officer, `${leads2024.href}/updates/H1`);
  assert.equal(await officer.locator('input[name=status]:checked').count(), 0);
  assert.equal(await officer.getByLabel('Commentary').inputValue(), '');
  await assertAccessible(officer, 'update form (empty)');
});

test('update form showing errors (percent 140, no status)', async () => {
  await open(officer, `${leads2024.href}/updates/H1`);
  await officer.getByLabel('Percentage complete (optional)').fill('140');
  await officer.getByLabel('Commentary').fill('Checking the error messages');
  await Promise.all([officer.waitForLoadState('load'), officer.getByRole('button', { name: 'Save update' }).click()]);
  await officer.locator('.govuk-error-summary').waitFor();
  assert.equal(await officer.locator('.govuk-error-summary__list li').count(), 2);
  await assertAccessible(officer, 'update form (with errors)');
});

test('edit-action form', async () => {
  await open(officer, `${leads2024.href}/edit`);
  await officer.getByRole('heading', { name: 'Edit action' }).waitFor();
  await assertAccessible(officer, 'edit-action form');
});

test('edit-action form showing an error (empty title)', async () => {
  await open(officer, `${leads2024.href}/edit`);
  await officer.getByLabel('Action', { exact: true }).fill('');
  await officer.getByRole('button', { name: 'Save changes' }).click();
  await officer.locator('.govuk-error-summary').waitFor();
  const links = await officer.locator('.govuk-error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#title', '#amendment'], 'the empty title, and the approved plan needs a reason to amend');
  await assertAccessible(officer, 'edit-action form (with an error)');
});

test('audit page', async () => {
  await open(officer, `/b/bromley/audit/action/${charted.id}`);
  assert.ok(await officer.locator('main .govuk-summary-card').count() >= 1, 'at least one change is listed');
  await assertAccessible(officer, 'audit page');
});

test('accounts page, with an API token to revoke', async () => {
  const made = spawnSync(ambitBinary(), [
    '--db', server.db, 'token', 'create', '--email', ACCOUNTS.lead.email, '--name', 'Nightly export',
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  await open(admin, '/b/bromley/accounts');
  await admin.getByRole('button', { name: /^Revoke API token \d+, Nightly export$/ }).waitFor();
  await admin.getByRole('button', { name: 'Disable the account of Demo member' }).waitFor();
  await assertAccessible(admin, 'accounts page');
});

test('accounts page showing an error (disabling the only administrator)', async () => {
  await open(admin, '/b/bromley/accounts');
  await Promise.all([
    admin.waitForLoadState('load'),
    admin.getByRole('button', { name: 'Disable the account of Demo administrator' }).click(),
  ]);
  await admin.locator('.govuk-error-summary').waitFor();
  assert.match(await admin.locator('.govuk-error-summary').innerText(), /only active administrator of bromley/);
  await assertAccessible(admin, 'accounts page (with an error)');
});

test('remove-account confirmation page', async () => {
  await open(admin, '/b/bromley/accounts');
  await Promise.all([
    admin.waitForURL(/\/remove$/),
    admin.getByRole('link', { name: 'Remove the account of Demo member' }).click(),
  ]);
  await admin.getByRole('button', { name: 'Remove the account' }).waitFor();
  await assertAccessible(admin, 'remove-account confirmation page');
});

test('settings page', async () => {
  await open(officer, '/b/bromley/settings');
  await officer.getByLabel(/Updates outside the reporting cycle/).waitFor();
  await assertAccessible(officer, 'settings page');
});

// The second demo body (Northmoor, illustrative): three levels and dotted references.
test('second body: home, plan, action, period, report and settings pages', async () => {
  await open(publicPage, '/b/northmoor');
  await assertAccessible(publicPage, 'Northmoor home page (public)');
  await open(publicPage, '/b/northmoor/plans/ENV/2023-24');
  const text = await publicPage.locator('main').innerText();
  assert.ok(text.indexOf('1.1.9') < text.indexOf('1.1.10'), '1.1.9 comes before 1.1.10');
  await assertAccessible(publicPage, 'Northmoor plan page (dotted references)');
  const action = await findAction(publicPage, base, '/b/northmoor/plans/ENV/2023-24', '1.1.10');
  await open(publicPage, action.href);
  await assertAccessible(publicPage, 'Northmoor action page');
  const nmOfficer = (await signedInPage(browser, base, ACCOUNTS.northmoorOfficer)).page;
  await open(nmOfficer, '/b/northmoor/plans/ENV/2023-24/periods/H2');
  await assertAccessible(nmOfficer, 'Northmoor period page');
  await open(nmOfficer, '/b/northmoor/plans/ENV/2023-24/periods/H2/report');
  await assertAccessible(nmOfficer, 'Northmoor report');
  await open(nmOfficer, '/b/northmoor/settings');
  await nmOfficer.getByRole('group', { name: /How actions and plan items are referenced/ }).waitFor();
  await assertAccessible(nmOfficer, 'Northmoor settings page (reference scheme radios)');
  await nmOfficer.context().close();
});

test('update form for a correction of a signed-off update', async () => {
  await open(officer, `${charted.href}/updates/H1`);
  await officer.getByLabel('Reason for the correction').waitFor();
  assert.match(await officer.locator('main').innerText(), /can change only by a correction/);
  await assertAccessible(officer, 'update form (a correction)');
});

test('sign-in page', async () => {
  const page = await (await browser.newContext()).newPage();
  await open(page, '/sign-in');
  await assertAccessible(page, 'sign-in page');
  await page.context().close();
});

test('sign-in page showing a wrong-password error', async () => {
  const page = await (await browser.newContext()).newPage();
  await open(page, '/sign-in');
  await page.getByLabel('Email address').fill(ACCOUNTS.officer.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter a correct email address and password/);
  await assertAccessible(page, 'sign-in page (wrong password)');
  await page.context().close();
});

test('404 page', async () => {
  await open(publicPage, '/no/such/page', 404);
  await publicPage.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await assertAccessible(publicPage, '404 page');
});

test('403 page (a lead opening the update form of an action they do not lead)', async () => {
  await open(lead, `${notLeads2024.href}/updates/H1`, 403);
  await assertAccessible(lead, '403 page');
});
