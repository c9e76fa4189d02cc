// The published pack, frozen: the officer publishes the period's pack for
// the committee, the plan changes afterwards, and the public downloads the
// pack unchanged, its SHA-256 matching the one listed. Every page involved,
// the success banner included, meets WCAG 2.2 AA as far as axe can tell.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import { ACCOUNTS, PLANS, assertAccessible, findAction, launchBrowser, signedInPage, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let officer;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  officer = (await signedInPage(browser, base, ACCOUNTS.officer)).page;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const periodPath = `${PLANS.y2023}/periods/H2`;

/** Each listed file of the pack `reference` on the page: its address and SHA-256. */
async function listedFiles(page, reference) {
  const pack = page.locator('.ambit-pack').filter({ hasText: reference });
  return pack.locator('tbody tr').evaluateAll((rows) => rows.map((r) => ({
    href: r.querySelector('a').getAttribute('href'),
    sha256: r.querySelector('code').textContent.trim(),
  })));
}

test('the officer publishes the pack; after the plan changes the public downloads it unchanged', async () => {
  await officer.goto(base + periodPath);
  await officer.getByText('No pack has been published for this period.').waitFor();
  await officer.getByRole('button', { name: 'Publish the pack for the committee' }).click();
  await officer.waitForURL((u) => u.pathname === periodPath && u.searchParams.get('done') === 'published');
  await officer.getByText('The pack ACH24-030 is published: 4 files').waitFor();
  await assertAccessible(officer, 'period page with the published banner');
  const published = await listedFiles(officer, 'ACH24-030');
  assert.equal(published.length, 4);

  // The plan changes afterwards: next year's 10A, in the pack's Appendix 2.
  const next = await findAction(officer, base, PLANS.y2024, '10A');
  const newTitle = `${next.title} (renamed after the meeting)`;
  await officer.goto(`${base}${next.href}/edit`);
  await officer.getByLabel('Action', { exact: true }).fill(newTitle);
  await officer.getByLabel('Reason for amending the approved plan').fill('Renamed after the meeting');
  await officer.getByRole('button', { name: 'Save changes' }).click();
  await officer.waitForURL(base + next.href);
  const fresh = await officer.request.get(`${base}${periodPath}/report`);
  assert.match(await fresh.text(), /renamed after the meeting/, 'a new rendering shows the change');

  // The public lists the pack and downloads every file unchanged.
  const context = await browser.newContext();
  const visitor = await context.newPage();
  await visitor.goto(`${base}/b/bromley/packs`);
  await assertAccessible(visitor, 'published packs page');
  const listed = await listedFiles(visitor, 'ACH24-030');
  assert.deepEqual(listed, published, 'the public sees the same files and hashes');
  for (const file of listed) {
    const res = await visitor.request.get(base + file.href);
    assert.equal(res.status(), 200, file.href);
    const body = await res.body();
    assert.equal(createHash('sha256').update(body).digest('hex'), file.sha256, `${file.href} is unchanged`);
    assert.match(res.headers()['content-disposition'], /^attachment; filename="ACH24-030-2023-24-H2\.(html|pdf|docx|xlsx)"$/);
    if (file.href.endsWith('/html')) {
      assert.doesNotMatch(body.toString('utf8'), /renamed after the meeting/, 'the published pack is as it was');
    }
  }
  await visitor.goto(base + PLANS.y2023);
  await visitor.locator('.ambit-pack').filter({ hasText: 'ACH24-030' }).waitFor();
  await assertAccessible(visitor, 'plan page listing the pack');
  await context.close();

  // Publishing the same reference again is refused, and says why.
  await officer.goto(base + periodPath);
  await officer.getByRole('button', { name: 'Publish the pack for the committee' }).click();
  await officer.locator('.govuk-error-summary').getByText(/a published pack never changes/).waitFor();
  await assertAccessible(officer, 'period page refusing a second pack under one reference');
});
