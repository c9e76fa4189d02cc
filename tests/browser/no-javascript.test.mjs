// With JavaScript turned off the service still works: sign in, filter a plan,
// get told about a mistake, record an update and sign out.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, LEAD_ROLE, PLANS, findAction, launchBrowser, signIn, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let mine; // 2024/25 10A, led by the demo lead

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, ACCOUNTS.officer);
  mine = await findAction(page, base, PLANS.y2024, '10A');
  assert.equal(mine.lead, LEAD_ROLE);
  await context.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('sign in, filter, fix a mistake and record an update without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto(`${base}/sign-in`);
  // GOV.UK Frontend's script marks the body when it runs: it must not have.
  assert.doesNotMatch((await page.locator('body').getAttribute('class')) ?? '', /js-enabled/);
  await page.getByLabel('Email address').fill(ACCOUNTS.lead.email);
  await page.getByLabel('Password').fill(ACCOUNTS.lead.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signing in lands on the lead's home, a plain page too.
  await page.waitForURL(`${base}/b/bromley/home`);
  assert.match(await page.locator('header').innerText(), /Signed in as Demo action lead/);

  // The plan's filters are a plain GET form.
  await page.goto(base + PLANS.y2024);
  await page.getByLabel('Lead').selectOption(LEAD_ROLE);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((u) => u.searchParams.get('lead') === LEAD_ROLE);
  const shown = await page.locator('main [role=status]').textContent();
  assert.match(shown, /Showing \d+ of 24 actions/);
  assert.doesNotMatch(shown, /Showing 24 of 24/);
  const leads = await page.locator('main tbody tr:has(td a) td:nth-child(3)').allTextContents();
  assert.ok(leads.length > 0 && leads.every((l) => l.trim() === LEAD_ROLE), `only ${LEAD_ROLE}'s actions: ${leads}`);

  await page.getByRole('link', { name: mine.title, exact: true }).click();
  await page.waitForURL(base + mine.href);
  await page.getByRole('button', { name: 'Record the update for H2 2024/25' }).click();
  await page.waitForURL(`${base}${mine.href}/updates/H2`);

  // A mistake: no status chosen.
  await page.getByLabel('Commentary').fill('Second year of the action plan under way.');
  await page.getByRole('button', { name: 'Save update' }).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /There is a problem\s+Select the action's status/);
  assert.equal(await summary.getByRole('link').getAttribute('href'), '#status');
  assert.equal(await page.getByLabel('Commentary').inputValue(), 'Second year of the action plan under way.');

  await page.getByLabel('At risk').check();
  await page.getByLabel('Percentage complete (optional)').fill('45');
  const figure = page.getByLabel(/Unpaid carers assessed or reviewed/);
  await figure.fill('1,210');
  await page.getByRole('button', { name: 'Save update' }).click();
  await page.waitForURL((u) => u.pathname === mine.href);
  await page.getByText('Your update for H2 2024/25 is saved', { exact: true }).waitFor();

  const card = page.locator('.govuk-summary-card').filter({
    has: page.locator('.govuk-summary-card__title', { hasText: 'H2 2024/25' }),
  });
  assert.equal((await card.locator('.govuk-tag').first().textContent()).trim(), 'At risk');
  assert.match(await card.innerText(), /45%/);
  assert.equal((await card.locator('.ambit-commentary').textContent()).trim(), 'Second year of the action plan under way.');
  const figures = page.locator('main table').filter({ hasText: 'H2 2024/25' });
  assert.match(await figures.innerText(), /H2 2024\/25\s+1210/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/b/bromley`);
  assert.doesNotMatch(await page.locator('header').innerText(), /Signed in as/);
  await context.close();
});
