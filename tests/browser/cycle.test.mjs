// The reporting cycle in a browser: the officer opens a period, the lead
// saves and submits an update, the officer returns it with a comment, the
// lead sees why, resubmits, and the officer signs it off. Every page of the
// cycle meets WCAG 2.2 AA as far as axe can tell.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, PLANS, assertAccessible, fillDate, findAction, launchBrowser, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let officer;
let lead;
let action;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  officer = (await signedInPage(browser, base, ACCOUNTS.officer)).page;
  lead = (await signedInPage(browser, base, ACCOUNTS.lead)).page;
  action = await findAction(officer, base, PLANS.y2024, '10A');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const periodPath = `${PLANS.y2024}/periods/H1`;

test('a lead submits, an officer returns and then signs off', async () => {
  await officer.goto(base + periodPath);
  await assertAccessible(officer, 'period page, not opened');
  await fillDate(officer, 'Deadline for updates', '2024-10-15');
  await officer.getByRole('button', { name: 'Open this period' }).click();
  await officer.getByText('Updates are due by').waitFor();
  await assertAccessible(officer, 'period page, open');

  await lead.goto(`${base}/b/bromley/my-updates`);
  await assertAccessible(lead, 'your updates page');
  await lead.getByRole('link', { name: /^10A:/ }).click();
  await lead.getByLabel('On track').check();
  await lead.getByLabel('Commentary').fill('The Carers Strategy action plan is agreed.');
  await lead.getByRole('button', { name: 'Save and submit for sign-off' }).click();
  await lead.waitForURL((u) => u.pathname === action.href);
  // A banner says what happened.
  await lead.getByText('Your update for H1 2024/25 is submitted for sign-off').waitFor();
  await assertAccessible(lead, 'action page with the submitted banner');

  await officer.goto(base + periodPath);
  await officer.getByLabel('Comment for the lead on 10A').fill('Say when the first carers assessment round starts');
  await officer.getByRole('button', { name: 'Return 10A to the lead' }).click();
  await officer.getByText('Returned: Say when the first carers assessment round starts').waitFor();
  await assertAccessible(officer, 'period page with a returned update');

  await lead.goto(`${base}/b/bromley/my-updates`);
  assert.match(await lead.locator('main').innerText(), /Returned: Say when the first carers assessment round starts/);
  await lead.getByRole('link', { name: /^10A:/ }).click();
  await lead.getByText('Returned for changes:').waitFor();
  await assertAccessible(lead, 'update form showing why it was returned');
  await lead.getByLabel('Commentary').fill('The first assessment round starts in November.');
  await lead.getByRole('button', { name: 'Save and submit for sign-off' }).click();
  await lead.waitForURL((u) => u.pathname === action.href);

  await officer.goto(base + periodPath);
  await officer.getByRole('button', { name: 'Sign off 10A' }).click();
  await officer.waitForURL((u) => u.pathname === periodPath);
  await officer.getByText('The update on 10A for H1 2024/25 is signed off').waitFor();
  await assertAccessible(officer, 'period page with the signed-off banner');
  const row = officer.getByRole('row', { name: /10A/ });
  assert.match(await row.innerText(), /Signed off/);
  await officer.goto(`${base}${PLANS.y2024}?period=H1`);
  assert.match(await officer.locator('main').innerText(), /some of the actions \(1 of 24\)/);

  // Closing asks first, saying what has no signed-off update.
  await officer.goto(base + periodPath);
  await officer.getByRole('button', { name: 'Close this period' }).click();
  await officer.getByRole('heading', { name: /Check before you close/ }).waitFor();
  const check = await officer.locator('main').innerText();
  assert.match(check, /“No update” for the 23 actions below/);
  assert.match(check, /Without a signed-off update \(23\)/);
  await assertAccessible(officer, 'check before closing a period');
  await officer.getByRole('link', { name: 'Cancel and keep it open' }).click();
  await officer.getByText('Updates are due by').waitFor();
});

test('the refresh form, its report and the approval meet WCAG 2.2 AA', async () => {
  await officer.goto(`${base}${PLANS.y2024}/refresh-report`);
  await officer.getByText('From 2023/24 to 2024/25').waitFor();
  await assertAccessible(officer, 'refresh report');
  await officer.goto(`${base}${PLANS.y2024}/refresh`);
  await assertAccessible(officer, 'refresh form');
  await officer.getByLabel('Outcome for 7C').selectOption('complete');
  await officer.getByRole('button', { name: 'Make the 2025/26 draft plan' }).click();
  await officer.getByText('From 2024/25 to 2025/26: 23 carried forward, 1 completed').waitFor();
  await officer.goto(`${base}/b/bromley/plans/ACH/2025-26`);
  await assertAccessible(officer, 'draft plan');
  await officer.getByRole('link', { name: 'Approve this plan' }).click();
  await officer.getByRole('heading', { name: /Approve the .* plan 2025\/26/ }).waitFor();
  // Carried-forward actions have no target dates yet: the page lists them.
  assert.match(await officer.locator('#gaps').innerText(), /no target date/);
  await assertAccessible(officer, 'approval, with what the plan lacks');
  await fillDate(officer, 'Date the committee approved this plan', '20 March 2025');
  await officer.getByRole('button', { name: 'Record approval' }).click();
  // Without a reason for the gaps it is refused on its field, not on a dead end.
  await officer.locator('.govuk-error-summary').waitFor();
  const approvedOn = officer.getByRole('group', { name: 'Date the committee approved this plan' });
  assert.equal(await approvedOn.getByLabel('Month').inputValue(), 'March', 'what was typed is kept');
  const links = await officer.locator('.govuk-error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['#accept-gaps']);
  await assertAccessible(officer, 'approval refused for want of a reason');
  await officer.getByLabel('Why the committee approved the plan with these gaps').fill('Targets will be set at the June meeting');
  await officer.getByRole('button', { name: 'Record approval' }).click();
  await officer.getByText('Approval recorded: the committee approved this plan on 20 March 2025').waitFor();
  await officer.getByText('Approved on 20 March 2025').waitFor();
  await assertAccessible(officer, 'plan with the approval banner');
});

test('the committee report pack meets WCAG 2.2 AA', async () => {
  await officer.goto(`${base}/b/bromley/plans/ACH/2023-24/periods/H2/report?ref=ACH24-030`);
  await officer.getByRole('heading', { level: 2, name: /Appendix 1/ }).waitFor();
  await assertAccessible(officer, 'committee report pack (HTML)');
});

test("an officer sets the committee report's cover, and the report carries it", async () => {
  await officer.goto(`${base}${PLANS.y2022}/periods/H1`);
  await officer.getByRole('link', { name: /Edit the report's cover/ }).click();
  await assertAccessible(officer, 'report cover form');
  await fillDate(officer, /Meeting date/, '24 November');
  await officer.getByRole('button', { name: 'Save the cover' }).click();
  await officer.getByText('Meeting date must include a year').first().waitFor();
  await assertAccessible(officer, 'report cover form showing an error');
  await fillDate(officer, /Meeting date/, '2022-11-24');
  await officer.getByLabel(/Author/).fill('Assistant Director for Strategy, Performance and Corporate Transformation');
  await officer.getByLabel(/Summary/).fill('Progress has been made on all of the actions.');
  await officer.getByRole('button', { name: 'Save the cover' }).click();
  await officer.getByText('24 November 2022').waitFor();
  await officer.getByRole('link', { name: 'read it in the browser' }).click();
  const cover = await officer.locator('body').innerText();
  assert.match(cover, /ACH22-038/);
  assert.match(cover, /Progress has been made on all of the actions\./);
  assert.match(cover, /Assistant Director for Strategy, Performance and Corporate Transformation/);
});
