// Open data from the public pages: a visitor finds the open data page from
// the body's home, and downloads every format a published plan and a
// committee offer (the plan as Excel, CSV, JSON with its JSON Schema and StratML;
// the committee's meetings and promises as CSV and JSON with its schema;
// the Atom feeds), each with the right content type and holding a known
// demo action. The open data page, and the plan and committee pages with
// their open data, meet WCAG 2.2 AA as far as axe can tell.

import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { PLANS, assertAccessible, launchBrowser, planActions, startAmbit } from './support.mjs';

let server;
let browser;
let base;
let visitor;

before(async () => {
  server = await startAmbit();
  base = server.baseURL;
  browser = await launchBrowser();
  visitor = await (await browser.newContext()).newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The text of every file in the zip `bytes`, joined (stored or deflated entries). */
function unzipText(bytes) {
  const buf = Buffer.from(bytes);
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end -= 1;
  assert.ok(end >= 0, 'a zip file');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const texts = [];
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const skip = nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + skip;
  }
  return texts.join('\n');
}

/** `text` as XML writes it. */
const xmlEscaped = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/**
 * Download the first link of <main> named `name` (or matching the CSS
 * selector `{ css }`) on the current page: its content type and text (a
 * zip's files' text).
 */
async function download(page, name) {
  const link = (name.css ? page.locator(`main ${name.css}`) : page.locator('main a').filter({ hasText: name })).first();
  const href = await link.getAttribute('href');
  assert.ok(href, `a link "${name}" on ${page.url()}`);
  const res = await page.request.get(new URL(href, base).href);
  assert.equal(res.status(), 200, href);
  const type = res.headers()['content-type'];
  const body = await res.body();
  const zipped = /zip|spreadsheetml/.test(type);
  return { href, type, text: zipped ? unzipText(body) : body.toString('utf8') };
}

/** Whether `text` names one of `actions` (by title, or as XML escapes it). */
function namesAnAction(text, actions) {
  return actions.some((a) => text.includes(a.title) || text.includes(xmlEscaped(a.title)));
}

test('the public downloads every open data format from the plan and committee pages', async () => {
  const actions2022 = await planActions(visitor, base, PLANS.y2022);
  const actions2023 = await planActions(visitor, base, PLANS.y2023);
  const known = [...actions2022, ...actions2023];
  assert.ok(known.some((a) => a.title === 'Deliver the all-age Autism Strategy'));

  // The plan page's formats.
  await visitor.goto(base + PLANS.y2022);
  await assertAccessible(visitor, 'plan page with its open data');
  const formats = [
    ['Excel (.xlsx)', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['CSV (three files in a .zip)', 'application/zip'],
    ['JSON', 'application/json'],
  ];
  for (const [name, type] of formats) {
    const file = await download(visitor, name);
    assert.equal(file.type, type, file.href);
    assert.match(file.text, /Deliver the all-age Autism Strategy/, `${file.href} holds the demo action`);
  }
  const stratml = await download(visitor, 'StratML (.xml)');
  assert.match(stratml.type, /xml/, stratml.href);
  assert.match(stratml.text, /<PerformancePlanOrReport/, 'a StratML Part 2 document');
  assert.ok(namesAnAction(stratml.text, known), 'the StratML plan names a demo action');
  const planSchema = await download(visitor, { css: 'a[href="/open-data/plan.schema.json"]' });
  assert.equal(planSchema.type, 'application/schema+json');
  assert.match(planSchema.text, /"\$schema": "https:\/\/json-schema.org\/draft\/2020-12\/schema"/);
  const feed = await download(visitor, { css: 'a[href$="/feed.atom"]' });
  assert.equal(feed.type, 'application/atom+xml; charset=utf-8');
  assert.match(feed.text, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  assert.ok(namesAnAction(feed.text, known), 'the feed names a demo action');
  const oparl = await download(visitor, { css: 'a[href^="/oparl/"]' });
  assert.match(oparl.type, /^application\/json/);
  assert.ok(Array.isArray(JSON.parse(oparl.text).data), 'an OParl list');

  // A committee's formats: the committee that scrutinises the ACH plans.
  await visitor.goto(`${base}/b/bromley/committees`);
  await visitor.locator('main a[href^="/b/bromley/committees/"]').first().click();
  await visitor.locator('#open-data').waitFor();
  await assertAccessible(visitor, 'committee page with its open data');
  const meetings = await download(visitor, { css: '#open-data ~ ul a[href$="/export.csv"]' });
  assert.equal(meetings.type, 'text/csv; charset=utf-8');
  assert.match(meetings.text, /^Committee,Meeting date,/);
  assert.match(meetings.text, /ACH Portfolio Plan 2022 Q2 update/, 'the meetings CSV holds the demo agenda item');
  const promises = await download(visitor, 'CSV of promises');
  assert.match(promises.type, /^text\/csv/);
  assert.ok(namesAnAction(promises.text, known), 'the promises CSV names a demo action');
  const json = await download(visitor, { css: 'a[href$="/export.json"]' });
  assert.equal(json.type, 'application/json');
  const record = JSON.parse(json.text);
  assert.ok(record.meetings.length > 0 && record.meetings.every((m) => m.published));
  assert.ok(record.promises.some((p) => p.action && known.some((a) => p.action.endsWith(a.title))), 'a promise names a demo action');
  const committeeSchema = await download(visitor, { css: 'a[href="/open-data/committee.schema.json"]' });
  assert.equal(committeeSchema.type, 'application/schema+json');
  const committeeFeed = await download(visitor, { css: 'a[href$="/feed.atom"]' });
  assert.equal(committeeFeed.type, 'application/atom+xml; charset=utf-8');
  assert.ok(namesAnAction(committeeFeed.text, known), "the committee's feed names a demo action");
});

test('the open data page, found from the home page, lists every body and meets WCAG 2.2 AA', async () => {
  await visitor.goto(`${base}/b/bromley`);
  await visitor.locator('main').getByRole('link', { name: 'Open data', exact: true }).click();
  await visitor.waitForURL((u) => u.pathname === '/open-data');
  await visitor.getByRole('heading', { level: 1, name: 'Open data' }).waitFor();
  await visitor.locator('h2#bromley').waitFor();
  await visitor.locator('h2#northmoor').waitFor();
  const plan = await download(visitor, { css: 'a[href$="/export.json"][href*="/plans/"]' });
  assert.equal(plan.type, 'application/json');
  assert.ok(JSON.parse(plan.text).plan.actions.length > 0);
  await assertAccessible(visitor, 'open data page');
});
