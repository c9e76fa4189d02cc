// Each role's home, where sign-in lands: the lead finds the update they
// owe (overdue, with its deadline) and, once submitted, sees it await
// sign-off; the officer signs off two submitted updates at once from the
// home and is told so; the clerk and the member find their committee
// work. Every home, and the banner state, meets WCAG 2.2 AA as far as axe
// can tell, and the lead's home fits a 375 px wide phone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, PLANS, assertAccessible, fillDate, launchBrowser, mainText, signIn, signedInPage, startAmbit } from './support.mjs';

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

/** A fresh browser context signed in as `account` through the sign-in page, with no place to return to. */
async function landed(account, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await signIn(page, base, account);
  await page.waitForURL(`${base}/b/bromley/home`);
  return page;
}

/**
 * The lead writes and submits an H1 update on the action linked `reference`
 * from their home. The form gives the context to write it in (the deadline,
 * the last update, what each status means) and the action page then says
 * the update was submitted.
 */
async function submitFromHome(lead, reference, commentary) {
  await lead.goto(`${base}/b/bromley/home`);
  await lead.locator('#owed').getByRole('link', { name: new RegExp(`^${reference}:`) }).click();
  await lead.waitForURL((u) => u.pathname.endsWith('/updates/H1'));
  assert.match(await lead.locator('#deadline').innerText(), /Due by 15 October 2024/);
  assert.match(await lead.locator('#previous-update').innerText(), /Last update, H2 2023\/24/);
  const hints = await lead.locator('.govuk-radios__hint').allInnerTexts();
  assert.ok(hints.length >= 4 && hints.every((h) => h.trim().length > 0), 'each status says what it means');
  await lead.getByLabel('On track').check();
  await lead.getByLabel('Commentary').fill(commentary);
  await lead.getByRole('button', { name: 'Save and submit for sign-off' }).click();
  await lead.waitForURL((u) => !u.pathname.includes('/updates/'));
  await lead.getByText('Your update for H1 2024/25 is submitted for sign-off').waitFor();
}

test('each role signs in to a home of their own', async () => {
  const { page: opener } = await signedInPage(browser, base, ACCOUNTS.officer);
  await opener.goto(`${base}${PLANS.y2024}/periods/H1`);
  await fillDate(opener, 'Deadline for updates', '15 October 2024');
  await opener.getByRole('button', { name: 'Open this period' }).click();
  await opener.getByText('Updates are due by').waitFor();

  // The lead lands on their home and sees what they owe, overdue, with the deadline.
  const lead = await landed(ACCOUNTS.lead, { viewport: { width: 375, height: 800 } });
  const owed = await lead.locator('#owed').innerText();
  assert.match(owed, /10A:/);
  assert.match(owed, /Overdue/);
  assert.match(owed, /It was due by 15 October 2024/);
  await assertAccessible(lead, "the lead's home");
  const width = await lead.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the lead's home scrolls sideways at 375 px: ${width} px wide`);
  assert.equal(await lead.getByRole('link', { name: 'Home', exact: true }).count(), 1, 'the header links home');

  await submitFromHome(lead, '10A', 'The Carers Strategy action plan is agreed.');
  await submitFromHome(lead, '6A', 'Recruitment to the new team is under way.');
  await lead.goto(`${base}/b/bromley/home`);
  const awaiting = await lead.locator('#awaiting').innerText();
  assert.match(awaiting, /10A:/, 'submitted updates stay in sight');
  assert.match(awaiting, /6A:/);
  await assertAccessible(lead, "the lead's home with updates awaiting sign-off");

  // The officer lands on the home and signs off both at once.
  const officer = await landed(ACCOUNTS.officer);
  assert.match(await mainText(officer), /Open reporting periods/);
  await assertAccessible(officer, "the officer's home");
  await officer.getByLabel('Sign off ACH 10A H1').check();
  await officer.getByLabel('Sign off ACH 6A H1').check();
  await officer.getByRole('button', { name: 'Sign off selected updates' }).click();
  await officer.locator('.govuk-notification-banner').waitFor();
  assert.match(await officer.locator('.govuk-notification-banner').innerText(), /2 updates signed off/);
  await assertAccessible(officer, "the officer's home after a bulk sign-off (banner)");
  await officer.goto(`${base}/b/bromley/home?state=signed+off`);
  const signed = await officer.locator('#updates-list').innerText();
  assert.match(signed, /10A:/);
  assert.match(signed, /6A:/);
  await assertAccessible(officer, "the officer's home, filtered");

  // The clerk and the member land on their homes too.
  const clerk = await landed(ACCOUNTS.clerk);
  const clerkText = await mainText(clerk);
  assert.match(clerkText, /Meetings awaiting minutes/);
  assert.match(clerkText, /Promises due or overdue/);
  await assertAccessible(clerk, "the clerk's home");

  const member = await landed(ACCOUNTS.member);
  const memberText = await mainText(member);
  assert.match(memberText, /Next meetings/);
  assert.match(memberText, /Promises due/);
  // The committee's promises the member should chase, each with its
  // standing and the meeting it was made at.
  const due = member.locator('.ambit-promises-due li');
  assert.ok((await due.count()) >= 1, "the member's home lists the promises due");
  assert.match(await due.first().innerText(), /(Overdue|Due|No date set)[\s\S]*Made at .+Committee, \d{1,2} \w+ \d{4}/);
  assert.doesNotMatch(memberText, /could not be signed in/);
  await assertAccessible(member, "the member's home");
  await member.goto(`${base}/b/bromley/my-updates`);
  await member.waitForURL(`${base}/b/bromley/home`);
});
