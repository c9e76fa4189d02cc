// The clerk's ModernGov page: found from the body's page, it saves the
// council's ModernGov site address and says so; an address Ambit cannot use
// is named in a GOV.UK error summary linking to the field; the page meets
// WCAG 2.2 AA as far as axe can tell, empty, saved and showing errors. The
// public is sent to sign in, and people who do not keep the committee
// record are refused. Nothing here syncs: the address saved is a closed
// port on this machine, and "Sync now" is never pressed (the web tests
// sync against a fake ModernGov server).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, assertAccessible, launchBrowser, mainText, signedInPage, startAmbit } from './support.mjs';

const PAGE = '/b/bromley/settings/moderngov';
const SITE = 'http://127.0.0.1:9/moderngov';

let server;
let browser;
let base;
let clerk;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  clerk = (await signedInPage(browser, base, ACCOUNTS.clerk)).page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a clerk finds the ModernGov page and saves the site address', async () => {
  await clerk.goto(`${base}/b/bromley`);
  await clerk.getByRole('link', { name: /ModernGov: the council's committee system/ }).click();
  await clerk.getByRole('heading', { level: 1, name: 'ModernGov' }).waitFor();
  assert.equal(new URL(clerk.url()).pathname, PAGE);
  assert.equal(await clerk.title(), 'ModernGov – Ambit');
  assert.equal(await clerk.getByRole('button', { name: 'Sync now' }).count(), 0, 'nothing to sync from yet');
  const site = clerk.getByLabel('ModernGov site address');
  assert.equal(await site.getAttribute('aria-describedby'), 'site-hint');
  assert.match(await clerk.locator('#site-hint').innerText(), /democracy\.example\.gov\.uk/);
  assert.equal(await clerk.getByLabel('Pause between requests, in milliseconds').inputValue(), '1000');
  await assertAccessible(clerk, 'ModernGov page, no site saved');

  await site.fill(SITE);
  await clerk.getByRole('button', { name: 'Save the site address' }).click();
  const banner = clerk.locator('.govuk-notification-banner--success');
  await banner.waitFor();
  assert.match(await banner.innerText(), /The ModernGov site address was saved/);
  assert.equal(await clerk.getByLabel('ModernGov site address').inputValue(), SITE);
  await clerk.getByRole('button', { name: 'Sync now' }).waitFor();
  await assertAccessible(clerk, 'ModernGov page, site saved');
});

test('an address Ambit cannot use is named in an error summary linking to the field', async () => {
  await clerk.goto(base + PAGE);
  await clerk.getByLabel('ModernGov site address').fill('not a url');
  await clerk.getByRole('button', { name: 'Save the site address' }).click();
  const summary = clerk.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await clerk.title(), /^Error: ModernGov/);
  assert.match(await summary.getByRole('heading').innerText(), /There is a problem/);
  const link = summary.getByRole('link', { name: /Enter the ModernGov site address as a web address/ });
  assert.equal(await link.getAttribute('href'), '#site');
  const message = clerk.locator('#site-error');
  assert.match(await message.innerText(), /Enter the ModernGov site address as a web address, like https:\/\/democracy\.example\.gov\.uk/);
  const field = clerk.getByLabel('ModernGov site address');
  assert.equal(await field.inputValue(), 'not a url', 'what was typed is kept');
  assert.equal(await field.getAttribute('aria-describedby'), 'site-hint site-error');
  assert.match(await field.getAttribute('class'), /govuk-input--error/);
  await assertAccessible(clerk, 'ModernGov page showing an error');
  // The summary's link takes the clerk to the field.
  await link.click();
  assert.equal(await clerk.evaluate(() => document.activeElement?.id), 'site');

  // Both fields wrong: each named, each linked; the saved address stays.
  await field.fill('');
  await clerk.getByLabel('Pause between requests, in milliseconds').fill('fast');
  await clerk.getByRole('button', { name: 'Save the site address' }).click();
  await summary.waitFor();
  const links = await summary.getByRole('link').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
  assert.deepEqual(links, [
    ['#site', 'Enter the ModernGov site address'],
    ['#delay_ms', 'Pause between requests must be a whole number of milliseconds from 0 to 60000'],
  ]);
  await assertAccessible(clerk, 'ModernGov page showing two errors');
  await clerk.goto(base + PAGE);
  assert.equal(await clerk.getByLabel('ModernGov site address').inputValue(), SITE, 'the saved address is unchanged');
});

test('the public is sent to sign in, and those who do not keep the record are refused', async () => {
  const visitor = await (await browser.newContext()).newPage();
  const answer = await visitor.request.get(base + PAGE, { maxRedirects: 0 });
  assert.equal(answer.status(), 303);
  assert.match(answer.headers().location, /^\/sign-in/);
  await visitor.goto(base + PAGE);
  assert.equal(new URL(visitor.url()).pathname, '/sign-in');
  assert.doesNotMatch(await mainText(visitor), /ModernGov site address/);

  for (const who of ['member', 'lead']) {
    const { page } = await signedInPage(browser, base, ACCOUNTS[who]);
    await page.goto(`${base}/b/bromley`);
    assert.equal(await page.getByRole('link', { name: /ModernGov/ }).count(), 0, `no link for a ${who}`);
    const res = await page.goto(base + PAGE);
    assert.equal(res.status(), 403, `a ${who} may not open the ModernGov page`);
    assert.doesNotMatch(await mainText(page), /ModernGov site address/);
    await assertAccessible(page, `ModernGov page refused to a ${who}`);
  }
});
