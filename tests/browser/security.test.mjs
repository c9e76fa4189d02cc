// Forged and cross-site form posts are refused and change nothing; pages
// carry a Content-Security-Policy the app's own scripts and styles live
// within; assets are served; unknown addresses get the 404 page.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ACCOUNTS, LEAD_ROLE, PLANS, findAction, launchBrowser, mainText, signedInPage, startAmbit,
} from './support.mjs';

let server;
let browser;
let base;
let officer;
let lead;
let target; // 2024/25 9A, led by the demo lead
let other; // 2024/25 7B, led by someone else

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  officer = (await signedInPage(browser, base, ACCOUNTS.officer)).page;
  lead = (await signedInPage(browser, base, ACCOUNTS.lead)).page;
  target = await findAction(officer, base, PLANS.y2024, '9A');
  other = await findAction(officer, base, PLANS.y2024, '7B');
  assert.equal(target.lead, LEAD_ROLE);
  assert.notEqual(other.lead, LEAD_ROLE);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The CSRF token in the page's main form. */
async function tokenOn(page, path) {
  await page.goto(base + path);
  const token = await page.locator('main form[method=post] input[name=csrf]').first().inputValue();
  assert.ok(token.length >= 20, 'the form carries a token');
  return token;
}

const FORGED = { status: 'on_track', percent: '50', commentary: 'Forged update' };

async function assertRefused(res, what) {
  assert.equal(res.status(), 403, `${what} should be refused with 403, got ${res.status()}`);
  assert.match(await res.text(), /did not come from this site|permission/, `${what}: the page says why`);
}

async function assertNoUpdate(page, action) {
  await page.goto(base + action.href);
  const text = await mainText(page);
  assert.match(text, /No updates have been recorded yet/, `no update was saved on ${action.reference}`);
  assert.doesNotMatch(text, /Forged/);
}

test('an update posted without a CSRF token, or with a wrong one, is refused and changes nothing', async () => {
  const url = `${base}${target.href}/updates/H1`;
  await assertRefused(await officer.request.post(url, { form: FORGED, maxRedirects: 0 }), 'a post with no token');
  await assertRefused(
    await officer.request.post(url, { form: { ...FORGED, csrf: 'x'.repeat(43) }, maxRedirects: 0 }),
    'a post with a wrong token',
  );
  await assertNoUpdate(officer, target);
});

test('a post from another site (cross-site Origin or Sec-Fetch-Site) is refused, even with the token', async () => {
  const path = `${target.href}/updates/H1`;
  const csrf = await tokenOn(officer, path);
  const form = { ...FORGED, csrf };
  await assertRefused(
    await officer.request.post(base + path, { form, headers: { Origin: 'https://evil.example' }, maxRedirects: 0 }),
    'a post with Origin https://evil.example',
  );
  await assertRefused(
    await officer.request.post(base + path, { form, headers: { 'Sec-Fetch-Site': 'cross-site' }, maxRedirects: 0 }),
    'a post with Sec-Fetch-Site cross-site',
  );
  await assertNoUpdate(officer, target);

  // The same post from our own origin goes through, so the refusals above were
  // about the origin and nothing else.
  const ok = await officer.request.post(base + path, { form: { ...form, commentary: 'Genuine update' }, headers: { Origin: base }, maxRedirects: 0 });
  assert.equal(ok.status(), 303);
  await officer.goto(base + target.href);
  assert.match(await mainText(officer), /Genuine update/);
});

test('an action lead cannot post an update on an action they do not lead, even with a valid token', async () => {
  const csrf = await tokenOn(lead, `${target.href}/updates/H2`);
  const res = await lead.request.post(`${base}${other.href}/updates/H1`, { form: { ...FORGED, csrf }, maxRedirects: 0 });
  await assertRefused(res, "a lead's post on someone else's action");
  await assertNoUpdate(officer, other);
});

test('editing an action or publishing a plan without the token is refused and changes nothing', async () => {
  let res = await officer.request.post(`${base}${other.href}/edit`, {
    form: { reference: '7B', title: 'Forged title', lead: other.lead, directorate: '', target: 'March 2025', version: '1' },
    maxRedirects: 0,
  });
  await assertRefused(res, 'an edit with no token');
  await officer.goto(base + other.href);
  assert.equal((await officer.getByRole('heading', { level: 1 }).textContent()).trim(), `7B: ${other.title}`);

  res = await officer.request.post(`${base}${PLANS.y2024}/publish`, { form: { publish: 'yes', version: '1', csrf: 'wrong' }, maxRedirects: 0 });
  await assertRefused(res, 'a publish with a wrong token');
  const pub = await (await browser.newContext()).newPage();
  assert.equal((await pub.goto(base + PLANS.y2024)).status(), 404, 'the plan is still unpublished');
  await pub.context().close();
});

test('sign-in and sign-out posts without their tokens are refused', async () => {
  const context = await browser.newContext();
  const res = await context.request.post(`${base}/sign-in`, {
    form: { email: ACCOUNTS.officer.email, password: ACCOUNTS.officer.password, next: '/' },
    maxRedirects: 0,
  });
  await assertRefused(res, 'a sign-in post with no form token');
  const page = await context.newPage();
  await page.goto(`${base}/b/bromley`);
  assert.doesNotMatch(await page.locator('header').innerText(), /Signed in as/);
  await context.close();

  await assertRefused(await lead.request.post(`${base}/sign-out`, { form: {}, maxRedirects: 0 }), 'a sign-out with no token');
  await lead.goto(`${base}/b/bromley`);
  assert.match(await lead.locator('header').innerText(), /Signed in as/, 'still signed in');
});

test('signing in from a crafted link keeps the person on this site', async () => {
  // `next` values an attacker might put in a link to our sign-in page.
  const nasty = ['//evil.example/', 'https://evil.example/', '/\\evil.example/', '/\t/evil.example/', '/\n/evil.example/'];
  const problems = [];
  for (const next of nasty) {
    const label = `next=${JSON.stringify(next)}`;

    // Where the server sends the browser after signing in.
    const http = await browser.newContext();
    const form = await (await http.request.get(`${base}/sign-in?next=${encodeURIComponent(next)}`)).text();
    const formToken = form.match(/name="form_token" value="([^"]+)"/)[1];
    const post = await http.request.post(`${base}/sign-in`, {
      form: { email: ACCOUNTS.officer.email, password: ACCOUNTS.officer.password, next, form_token: formToken },
      maxRedirects: 0,
    });
    const location = post.headers().location;
    if (post.status() !== 303 || !location) {
      problems.push(`${label}: POST /sign-in answered ${post.status()} ${(await post.text()).slice(0, 80)} instead of a redirect`);
    } else if (new URL(location, base).origin !== base) {
      problems.push(`${label}: POST /sign-in redirects to ${JSON.stringify(location)}, which a browser opens as ${new URL(location, base).href}`);
    }
    await http.close();

    // What the person sees. Nothing leaves this machine: requests to any
    // other host are answered here and noted.
    const context = await browser.newContext();
    const offsite = [];
    await context.route((url) => url.hostname !== '127.0.0.1', (route) => {
      offsite.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Another site</title>' });
    });
    const page = await context.newPage();
    const csp = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email address').fill(ACCOUNTS.officer.email);
    await page.getByLabel('Password').fill(ACCOUNTS.officer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const arrived = await page
      .waitForURL((u) => u.origin !== base || u.pathname !== '/sign-in', { timeout: 5_000 })
      .then(() => true, () => false);
    await page.waitForLoadState();
    if (offsite.length) problems.push(`${label}: the browser went to ${offsite.join(', ')}`);
    if (csp.length) problems.push(`${label}: the browser blocked the redirect: ${csp.join(' ').replace(/\s+/g, ' ').trim()}`);
    if (!arrived) {
      problems.push(`${label}: the browser stayed on ${page.url()} (${JSON.stringify(await page.title())})`);
    } else if (new URL(page.url()).origin === base && !/Signed in as/.test(await page.locator('header').innerText())) {
      problems.push(`${label}: not signed in at ${page.url()}`);
    }
    await context.close();
  }
  assert.deepEqual(problems, [], `after signing in:\n${problems.join('\n')}`);
});

test('the stylesheet is served', async () => {
  const res = await officer.request.get(`${base}/assets/ambit.css`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'], /^text\/css/);
  assert.match(await res.text(), /\.govuk-template/);
});

test('pages carry a Content-Security-Policy, and the page\'s own scripts and styles work within it', async () => {
  const page = await (await browser.newContext()).newPage();
  const complaints = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) complaints.push(m.text()); });
  for (const path of ['/b/bromley', PLANS.y2022, '/sign-in', '/no-such-page']) {
    const res = await page.goto(base + path);
    const csp = res.headers()['content-security-policy'];
    assert.ok(csp, `${path} has a Content-Security-Policy header`);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    await page.waitForFunction(() => document.body.classList.contains('js-enabled'));
    const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.govuk-width-container')).maxWidth);
    assert.equal(styled, '960px', `${path} is styled by ambit.css`);
  }
  assert.deepEqual(complaints, [], 'the browser reported no CSP violation');
  await page.context().close();
});

test('a made-up address gives the 404 page with status 404', async () => {
  const page = await (await browser.newContext()).newPage();
  for (const path of ['/made/up/address', '/b/bromley/actions/999999', '/b/bromley/actions/not-a-number', '/b/nowhere']) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 404, `${path} answers 404`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    assert.match(await page.title(), /^Page not found/);
  }
  await page.context().close();
});
