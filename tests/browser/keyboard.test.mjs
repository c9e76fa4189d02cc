// Someone who uses only a keyboard can sign in and record an update: Tab to
// move, typing to fill in, arrow keys and Space for radios, Enter to follow
// links and submit. The mouse is never used.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ACCOUNTS, PLANS, findAction, launchBrowser, signIn, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let mine; // 2024/25 6A, led by the demo lead

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, ACCOUNTS.officer);
  mine = await findAction(page, base, PLANS.y2024, '6A');
  await context.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What has keyboard focus, and whether the focus can be seen. */
function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return {
      tag: e.tagName.toLowerCase(),
      id: e.id,
      name: e.getAttribute('name'),
      type: e.getAttribute('type'),
      value: e.value,
      checked: e.checked,
      text: (e.innerText ?? '').trim(),
      className: typeof e.className === 'string' ? e.className : '',
      // GOV.UK Frontend shows focus with a yellow outline, background or shadow.
      focusVisible: s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor === 'rgb(255, 221, 0)',
      onScreen: r.width > 1 && r.height > 1,
    };
  });
}

/** Press Tab until `match(focused)` holds; fail naming `what` if it never does. */
async function tabTo(page, what, match, max = 200) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (match(f)) {
      assert.ok(f.focusVisible, `focus on ${what} should be visible: ${JSON.stringify(f)}`);
      return f;
    }
    seen.push(`${f.tag}#${f.id}:${f.text.slice(0, 30)}`);
  }
  throw new Error(`pressing Tab ${max} times never reached ${what}; focus went through ${seen.join(' | ')}`);
}

/** Wait until the page's address (ignoring any #fragment) is `url`. */
function atPath(page, url) {
  const want = new URL(url);
  return page.waitForURL((u) => u.origin === want.origin && u.pathname === want.pathname && u.search === want.search);
}

/** The skip link is the first thing Tab reaches, and Enter on it moves focus to <main>. */
async function useSkipLink(page) {
  const first = await tabTo(page, 'the skip link', () => true, 1);
  assert.equal(first.text, 'Skip to main content', `the first focusable element is ${JSON.stringify(first)}`);
  assert.match(first.className, /govuk-skip-link/);
  assert.ok(first.onScreen, 'the skip link appears when focused');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'main-content');
  assert.equal((await focused(page)).tag, 'main');
}

test('skip link, sign-in and recording an update with the keyboard alone', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (d) => d.dismiss());

  await page.goto(`${base}/b/bromley`);
  await useSkipLink(page);

  // To the sign-in page by the header's link: it comes before <main>, so start again.
  await page.goto(`${base}/b/bromley`);
  await tabTo(page, 'the Sign in link', (f) => f.tag === 'a' && f.text === 'Sign in');
  await Promise.all([atPath(page, `${base}/sign-in`), page.keyboard.press('Enter')]);

  await useSkipLink(page);
  await tabTo(page, 'the email field', (f) => f.id === 'email', 1);
  await page.keyboard.type(ACCOUNTS.lead.email);
  await tabTo(page, 'the password field', (f) => f.id === 'password', 1);
  await page.keyboard.type(ACCOUNTS.lead.password);
  // Signing in lands on the lead's home.
  await Promise.all([atPath(page, `${base}/b/bromley/home`), page.keyboard.press('Enter')]);
  assert.match(await page.locator('header').innerText(), /Signed in as Demo action lead/);

  // On to the council's page, where its plans are listed.
  await page.goto(`${base}/b/bromley`);

  await tabTo(page, 'the 2024/25 plan link', (f) => f.tag === 'a' && f.text.includes('plan 2024/25'));
  await Promise.all([atPath(page, base + PLANS.y2024), page.keyboard.press('Enter')]);

  await useSkipLink(page);
  await tabTo(page, `the link to ${mine.reference}`, (f) => f.tag === 'a' && f.text === mine.title);
  await Promise.all([atPath(page, base + mine.href), page.keyboard.press('Enter')]);

  await useSkipLink(page);
  await tabTo(page, 'the H1 update button', (f) => f.text === 'Record the update for H1 2024/25');
  await Promise.all([atPath(page, `${base}${mine.href}/updates/H1`), page.keyboard.press('Enter')]);

  await useSkipLink(page);
  const radio = await tabTo(page, 'the first status radio', (f) => f.name === 'status', 1);
  assert.equal(radio.value, 'complete');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  const onTrack = await focused(page);
  assert.deepEqual([onTrack.value, onTrack.checked], ['on_track', true], 'On track is chosen');

  await tabTo(page, 'the percentage field', (f) => f.id === 'percent', 1);
  await page.keyboard.type('35');
  await tabTo(page, 'the commentary', (f) => f.id === 'commentary', 1);
  await page.keyboard.type('Typed with the keyboard only: day services mapped.');
  await tabTo(page, 'the Save update button', (f) => f.tag === 'button' && f.text === 'Save update', 20);
  await Promise.all([
    page.waitForURL((u) => u.pathname === mine.href && u.searchParams.get('done') === 'saved'),
    page.keyboard.press('Enter'),
  ]);

  const card = page.locator('.govuk-summary-card').filter({
    has: page.locator('.govuk-summary-card__title', { hasText: 'H1 2024/25' }),
  });
  assert.equal((await card.locator('.govuk-tag').first().textContent()).trim(), 'On track');
  assert.match(await card.innerText(), /35%/);
  assert.equal(
    (await card.locator('.ambit-commentary').textContent()).trim(),
    'Typed with the keyboard only: day services mapped.',
  );
  await context.close();
});
