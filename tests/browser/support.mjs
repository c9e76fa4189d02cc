// Shared support for Ambit's browser tests.
//
// Each test file calls `startAmbit()` in its `before` hook: that starts its own
// `ambit demo` server (the Bromley example and one account per role) on a free
// loopback port over a fresh database in a temporary folder, so test files
// never share state. `stop()` ends the server and removes the folder.
//
// The browser is Debian's Chromium (/usr/bin/chromium, installed by
// scripts/browser-test); Playwright's own browser downloads are not used.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's root folder. */
export const repoRoot = path.resolve(here, '..', '..');

/** The demo accounts `ambit demo` creates. */
export const ACCOUNTS = {
  admin: { email: 'admin@bromley.example', password: 'demo-admin-password' },
  officer: { email: 'officer@bromley.example', password: 'demo-officer-password' },
  lead: { email: 'lead@bromley.example', password: 'demo-lead-password' },
  clerk: { email: 'clerk@bromley.example', password: 'demo-clerk-password' },
  member: { email: 'member@bromley.example', password: 'demo-member-password' },
  northmoorOfficer: { email: 'officer@northmoor.example', password: 'demo-officer-password' },
};

/** The lead role the demo's action lead account leads. */
export const LEAD_ROLE = 'Assistant Director for Integrated Commissioning';

/** Addresses of the demo body's plans. */
export const PLANS = {
  y2022: '/b/bromley/plans/ACH/2022-23',
  y2023: '/b/bromley/plans/ACH/2023-24',
  y2024: '/b/bromley/plans/ACH/2024-25',
};

/**
 * Fill the GOV.UK date input headed `legend` (its day, month and year
 * inputs) with `date`, written "20 March 2025" or "2025-03-20"; a part left
 * out ("24 November") leaves its input empty.
 */
export async function fillDate(page, legend, date) {
  const group = page.getByRole('group', { name: legend });
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [day, month, year] = iso ? [iso[3], iso[2], iso[1]] : date.split(/\s+/);
  await group.getByLabel('Day').fill(day ?? '');
  await group.getByLabel('Month').fill(month ?? '');
  await group.getByLabel('Year').fill(year ?? '');
}

/** The WCAG levels every page must meet. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** The `ambit` binary: $AMBIT_BIN, else the debug build in the cargo target folder. */
export function ambitBinary() {
  if (process.env.AMBIT_BIN) return path.resolve(process.env.AMBIT_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'ambit');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `ambit demo --listen 127.0.0.1:PORT` over a new database and wait
 * until `GET /` answers. Returns `{ baseURL, db, output(), stop() }`, where
 * `db` is the SQLite file (for running other `ambit` commands beside it).
 */
export async function startAmbit({ timeoutMs = 60_000 } = {}) {
  const bin = ambitBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ambit-browser-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(bin, ['--db', path.join(dir, 'ambit.db'), 'demo', '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
    child.on('error', (err) => { exited = { error: err }; log += `\n${err}`; resolve(exited); });
  });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`ambit (${bin}) stopped before serving: ${JSON.stringify(exited)}\n${log}`);
    }
    try {
      const res = await fetch(`${baseURL}/`, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ambit did not answer on ${baseURL} within ${timeoutMs} ms\n${log}`);
    }
    await sleep(100);
  }
  return { baseURL, db: path.join(dir, 'ambit.db'), output: () => log, stop };
}

/** Debian's Chromium, headless, with nothing reaching outside this machine. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Sign in through the sign-in page as one of ACCOUNTS and wait for the page after. */
export async function signIn(page, baseURL, account, next) {
  const url = next ? `${baseURL}/sign-in?next=${encodeURIComponent(next)}` : `${baseURL}/sign-in`;
  await page.goto(url);
  await page.getByLabel('Email address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await assertSignedIn(page);
}

/** The page's header says someone is signed in. */
export async function assertSignedIn(page) {
  const text = await page.locator('header').innerText();
  assert.match(text, /Signed in as/, `expected to be signed in on ${page.url()}, header says: ${text}`);
}

/** A new browser context (cookies of its own) signed in as `account`, and its page. */
export async function signedInPage(browser, baseURL, account, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await signIn(page, baseURL, account);
  return { context, page };
}

/**
 * The actions listed on a plan page: `{ reference, title, lead, status, href, id }`,
 * read from the tables' rows (reference in the first cell, the title a link).
 */
export async function planActions(page, baseURL, planPath) {
  const res = await page.goto(baseURL + planPath);
  assert.equal(res.status(), 200, `plan page ${planPath} should be shown`);
  const rows = await page.locator('main table tbody tr').evaluateAll((trs) => trs
    .filter((tr) => tr.querySelector('td a.govuk-link'))
    .map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      const link = cells[1].querySelector('a');
      return {
        reference: cells[0].textContent.trim(),
        title: link.textContent.trim(),
        href: link.getAttribute('href'),
        lead: cells[2].textContent.trim(),
        status: cells[4].querySelector('.govuk-tag')?.textContent.trim() ?? '',
      };
    }));
  return rows.map((r) => ({ ...r, id: Number(r.href.split('/').pop()) }));
}

/** The one action with `reference` on the plan page. */
export async function findAction(page, baseURL, planPath, reference) {
  const rows = await planActions(page, baseURL, planPath);
  const found = rows.filter((r) => r.reference === reference);
  assert.equal(found.length, 1, `expected one action ${reference} on ${planPath}, found ${JSON.stringify(rows.map((r) => r.reference))}`);
  return found[0];
}

/** Turn axe's violations into text a person can act on. */
export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 300)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n');
    return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
  }).join('\n');
}

/** Run axe over the page at WCAG 2.2 AA and fail with a readable list of any violation. */
export async function assertAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const n = results.violations.length;
  assert.equal(
    n,
    0,
    `${what} (${page.url()}) has ${n} accessibility violation(s):\n${formatViolations(results.violations)}`,
  );
}

/** The text of the page's <main>, whitespace collapsed. */
export async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}
