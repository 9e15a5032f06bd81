// The workbench's reading pages in headless Chromium (playwright-core): collections,
// reports (built-in, drilled into, saved on the page), analysis with its charts, the SQL
// page, downloads, English, and what a viewer may do. Each key figure must equal what
// `recon sql` computes on the same workspace as of the same day, to the cent. Prints
// "ok - <step>" per step and stops at the first failure (RECON_E2E_KEEP_GOING=1 runs
// every step and fails at the end instead).
//
// Environment (set by tests/it/web_browser.rs, which also checks the downloads):
//   RECON_URL, RECON_USER and RECON_PASSWORD (an accountant: may define and export),
//   RECON_VIEWER, RECON_VIEWER_PASSWORD, RECON_SHOTS (screenshots), RECON_DOWNLOADS
//   (where the downloads and the rows seen are written), RECON_EXPECT (JSON: the SQL
//   typed on the pages and the CLI's figures).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, need } from './env.mjs';

const BASE = need('RECON_URL').replace(/\/+$/, '');
const USER = need('RECON_USER');
const PASSWORD = need('RECON_PASSWORD');
const VIEWER = need('RECON_VIEWER');
const VIEWER_PASSWORD = need('RECON_VIEWER_PASSWORD');
const SHOTS = path.resolve(need('RECON_SHOTS'));
const DOWNLOADS = path.resolve(need('RECON_DOWNLOADS'));
const X = JSON.parse(need('RECON_EXPECT'));
const KEEP_GOING = !!process.env.RECON_E2E_KEEP_GOING;

const TIMEOUT = 30_000; // one page, one navigation, one download
const WHOLE_RUN = 10 * 60_000;

/** A column's heading in Chinese (export::table's HEADERS); in English it is its name. */
const ZH = {
  platform: '平台', shop: '店铺', month: '月份', currency: '币种', orders: '订单数', order_id: '订单号',
  sold: '销售额', sales: '销售额', outstanding: '未回款', account: '账户', status: '状态', aging_bucket: '账龄',
  days_overdue: '逾期天数',
};

let browser;
let page;
let current = 'setup';
let failures = 0;
/** Console errors and script errors since the last check. */
let errors = [];
/** Requests refused on purpose since the last check (the console logs each as an error). */
let refusalsAskedFor = 0;

async function step(name, fn) {
  current = name;
  try {
    await fn();
    await clean('during the step');
    console.log(`ok - ${name}`);
  } catch (e) {
    if (!KEEP_GOING) throw e;
    failures++;
    console.log(`not ok - ${name}: ${oneLine(e)} (at ${page.url()})`);
    await page.screenshot({ path: path.join(SHOTS, `p2-failure-${failures}.png`), fullPage: true }).catch(() => {});
    errors = [];
  }
}

const oneLine = (e) => String(e?.message ?? e).replace(/\s*\n+\s*/g, ' ');
const note = (text) => console.log(`# ${text}`);
const url = (p) => BASE + p;
const pathname = () => new URL(page.url()).pathname;
const param = (k) => new URL(page.url()).searchParams.get(k);
const count = (sel) => page.locator(sel).count();
const text = async (sel) => {
  if ((await count(sel)) === 0) throw new Error(`${sel} is missing on ${pathname()}`);
  return ((await page.locator(sel).first().textContent()) ?? '').trim();
};
const shot = (name) => page.screenshot({ path: path.join(SHOTS, `p2-${name}.png`), fullPage: true });
/** A figure as the CLI's csv writes it: no thousands separators. */
const plain = (t) => String(t ?? '').trim().replace(/,/g, '');

/** No console error or script error since the last check (the site has no favicon: not counted). */
async function clean(what) {
  const seen = errors.filter((e) => !/favicon\.ico/.test(e) && !(/status of 403/.test(e) && refusalsAskedFor-- > 0));
  errors = [];
  refusalsAskedFor = 0;
  assert.equal(seen.length, 0, `console errors (or charts not drawn) ${what}, now at ${page.url()}: ${seen.join(' | ')}`);
}

/** Opens a page of the site; it must answer 200. */
async function go(p, { status = 200 } = {}) {
  const res = await page.goto(url(p), { waitUntil: 'load' });
  await page.waitForLoadState();
  if (status !== null && res?.status() !== status) {
    const body = (await res?.text().catch(() => '')) ?? '';
    assert.fail(`GET ${p} answers ${res?.status()}, not ${status}: ${body.slice(0, 160)}`);
  }
  await charts();
  return res;
}

/** Clicks (or presses) something that loads a new page, waits for it; it must answer 200. */
async function submit(action, { status = 200, timeout = TIMEOUT } = {}) {
  const nav = page.waitForNavigation({ timeout, waitUntil: 'load' });
  await (typeof action === 'function' ? action() : page.locator(action).first().click());
  const res = await nav;
  await page.waitForLoadState();
  if (status !== null && res?.status() !== status) {
    const body = (await res?.text().catch(() => '')) ?? '';
    assert.fail(`the page after ${typeof action === 'string' ? action : 'the action'} (${page.url()}) answers ${res?.status()}, not ${status}: ${body.slice(0, 160)}`);
  }
  await charts();
  return res;
}

/** Every chart of the page drawn (charts.js marks each with data-drawn); one that is not
 *  fails the step at its end, as a console error does, so the step's other checks still run. */
async function charts() {
  const n = await count('[data-chart]');
  if (n === 0) return;
  const all = () => [...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-drawn'));
  if (await page.waitForFunction(all, null, { timeout: 5_000 }).then(() => true, () => false)) return;
  const undrawn = await page.locator('[data-chart]:not([data-drawn])').evaluateAll((els) => els.map((e) => e.id || e.className));
  errors.push(`${undrawn.length} of ${n} charts not drawn on ${pathname()}: ${undrawn.join(', ')}`);
}

/** A chart drawn with a canvas of non-zero size inside. */
async function drawn(sel) {
  const chart = page.locator(sel).first();
  assert.ok((await chart.count()) > 0, `${sel} missing on ${pathname()}`);
  assert.notEqual(await chart.getAttribute('data-drawn'), null, `${sel} has no data-drawn`);
  const size = await chart.locator('canvas').first().evaluate((c) => [c.width, c.height, c.clientWidth, c.clientHeight]).catch(() => null);
  assert.ok(size && size.every((v) => v > 0), `${sel}: its canvas has size ${JSON.stringify(size)}`);
}

/** A result grid (web/grid.rs) read whole: headings, body rows, totals rows, count shown. */
async function grid(id) {
  const g = page.locator(`#${id}`);
  assert.equal(await g.count(), 1, `#${id} missing on ${pathname()}`);
  const cells = (sel) => g.locator(sel).evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.innerText.trim())));
  const headers = await g.locator('table.result thead th').allInnerTexts();
  const rows = (await cells('table.result tbody tr')).filter((r) => r.length > 1 || !r[0]?.match(/^(没有数据|No rows)$/));
  const totals = await cells('table.result tfoot tr.total');
  const shown = parseInt(await g.locator('.pager .count').innerText(), 10);
  return { headers: headers.map((h) => h.trim()), rows, totals, shown };
}

/** The index of column `name` in a grid's headings (Chinese or English). */
function col(g, name) {
  const i = g.headers.findIndex((h) => h === name || h === ZH[name]);
  assert.ok(i >= 0, `no column ${name} (${ZH[name] ?? ''}) among ${JSON.stringify(g.headers)} on ${pathname()}`);
  return i;
}

async function login(user, password) {
  await go('/login');
  await page.fill('form#login input[name=user]', user);
  await page.fill('form#login input[name=password]', password);
  await submit('button#login-submit');
  assert.equal(pathname(), '/', `after ${user}'s login the browser is at ${page.url()}`);
  assert.ok((await text('#who')).includes(user), `#who shows "${await text('#who')}", not ${user}`);
}

async function flash(kind, what) {
  await page.locator('.flash').first().waitFor({ timeout: TIMEOUT }).catch(() => {});
  const other = kind === 'ok' ? 'error' : 'ok';
  if ((await count(`.flash.${other}`)) > 0) throw new Error(`${what}: .flash.${other} says ${await text(`.flash.${other}`)}`);
  assert.ok((await count(`.flash.${kind}`)) > 0, `${what}: no .flash.${kind} on ${page.url()}`);
  return text(`.flash.${kind}`);
}

/** Runs `fetch(path, POST body)` inside the page; returns the HTTP status. */
async function post(p, fields) {
  const status = await page.evaluate(
    async ([p, fields]) => (await fetch(p, { method: 'POST', body: new URLSearchParams(fields) })).status,
    [p, fields],
  );
  // The browser logs a refused request as a console error: this one was asked for.
  if (status === 403) refusalsAskedFor++;
  return status;
}
const csrfToken = () => page.locator('meta[name=csrf-token]').getAttribute('content');

/** Clicks an export button; the download is saved as DOWNLOADS/name.ext. */
async function download(button, name) {
  const ext = button.includes('xlsx') ? 'xlsx' : 'pdf';
  const before = page.url();
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.locator(button).first().click()]);
  const failure = await d.failure();
  assert.equal(failure, null, `${name}.${ext}: the download failed: ${failure}`);
  assert.ok(d.suggestedFilename().endsWith(`.${ext}`), `${name}: the file is called ${d.suggestedFilename()}`);
  const to = path.join(DOWNLOADS, `${name}.${ext}`);
  await d.saveAs(to);
  assert.ok(fs.statSync(to).size > 0, `${to} is empty`);
  assert.equal(page.url(), before, 'a download leaves the page where it was');
}

/** Every link of `sel` on this page answers 200 (checked without leaving the page). */
async function linksAnswer(sel) {
  const hrefs = [...new Set(await page.locator(sel).evaluateAll((as) => as.map((a) => a.getAttribute('href'))))];
  const dead = [];
  for (const h of hrefs) {
    const r = await page.request.get(new URL(h, url('/')).href);
    if (r.status() !== 200) dead.push(`${h} → ${r.status()} ${(await r.text()).slice(0, 120)}`);
  }
  assert.equal(dead.length, 0, `${dead.length} of ${hrefs.length} links on ${pathname()} answer no page, e.g. ${dead.slice(0, 2).join('; ')}`);
  return hrefs.length;
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (/^p2-failure/.test(f)) fs.rmSync(path.join(SHOTS, f));
  fs.mkdirSync(DOWNLOADS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location()?.url ?? ''})`);
  });
  page.on('pageerror', (e) => errors.push(`script error: ${e.message}`));

  await step(`log in as ${USER}`, async () => {
    await login(USER, PASSWORD);
    for (const sel of ['a#nav-collections', 'a#nav-reports', 'a#nav-analysis', 'a#nav-sql']) {
      assert.equal(await count(sel), 1, `${sel} missing in the nav`);
    }
  });

  // ---- Collections -------------------------------------------------------------------
  await step('collections: the status summary adds up to receivables\' outstanding', async () => {
    await go('/collections');
    for (const sel of ['#tab-orders', '#tab-follow_up', '#tab-aging', 'form#collection-filters', '#f-as-of', '#f-platform',
      '#f-shop', '#f-status', '#f-bucket', '#f-apply']) {
      assert.equal(await count(sel), 1, `${sel} missing on /collections`);
    }
    assert.ok((await page.locator('#tab-orders').getAttribute('class'))?.includes('on'), 'the orders tab is on first');
    const g = await grid('status-summary');
    assert.equal(g.totals.length, 1, `#status-summary has ${g.totals.length} totals rows (one currency)`);
    assert.equal(plain(g.totals[0][col(g, 'outstanding')]), X.outstanding_total, 'status summary total outstanding');
    await shot('collections');
  });

  await step('collections: platform tmall, status overdue shows the CLI\'s count', async () => {
    await go('/collections');
    await page.selectOption('#f-platform', 'tmall');
    await page.selectOption('#f-status', 'overdue');
    await submit('#f-apply');
    assert.equal(param('platform'), 'tmall');
    assert.equal(param('status'), 'overdue');
    const g = await grid('collection-rows');
    assert.equal(String(g.shown), X.tmall_overdue, '.pager .count under platform=tmall, status=overdue');
    assert.equal(String(g.rows.length), X.tmall_overdue, 'rows listed');
    for (const r of g.rows) {
      assert.equal(r[col(g, 'platform')], 'tmall');
      assert.equal(r[col(g, 'status')], 'overdue');
    }
    assert.equal(await page.locator('#f-platform').inputValue(), 'tmall', 'the filter keeps its choice');
    await shot('collections-filtered');
  });

  await step('collections: the aging-bucket filter offers "all" once, and no blank choice', async () => {
    await go('/collections');
    const options = await page.locator('#f-bucket option').evaluateAll((os) => os.map((o) => [o.value, o.textContent.trim(), o.selected]));
    const blank = options.filter(([v, t]) => v === '' && t !== '全部');
    assert.equal(blank.length, 0, `#f-bucket offers a choice with no name: ${JSON.stringify(options)}`);
    const chosen = options.find(([, , s]) => s);
    assert.equal(chosen?.[1], '全部', `#f-bucket shows "${chosen?.[1]}" with no bucket chosen`);
  });

  await step('collections: follow-up lists the largest outstanding first', async () => {
    await go('/collections');
    await submit('#tab-follow_up');
    assert.equal(param('tab'), 'follow_up');
    const g = await grid('collection-rows');
    assert.ok(g.rows.length > 0, 'no overdue orders listed');
    const o = col(g, 'outstanding');
    assert.equal(plain(g.rows[0][o]), X.follow_up_max, 'the first row\'s outstanding');
    const values = g.rows.map((r) => Number(plain(r[o])));
    assert.deepEqual(values, [...values].sort((a, b) => b - a), 'largest outstanding first');
    await shot('collections-follow-up');
  });

  let agingDrill;
  await step('collections: aging chart drawn, total outstanding = aging\'s', async () => {
    await go('/collections');
    await submit('#tab-aging');
    assert.equal(param('tab'), 'aging');
    await drawn('#listing [data-chart]');
    const g = await grid('collection-rows');
    assert.equal(plain(g.totals[0]?.[col(g, 'outstanding')]), X.aging_total, 'aging total outstanding');
    const links = page.locator('#collection-rows a.drill');
    assert.equal(await links.count(), g.rows.length, 'each aging row has its a.drill');
    const row = g.rows[0];
    agingDrill = { platform: row[col(g, 'platform')], shop: row[col(g, 'shop')], bucket: row[col(g, 'aging_bucket')], orders: row[col(g, 'orders')] };
    await shot('collections-aging');
  });

  await step('collections: an aging row drills to its orders, counted as the CLI counts them', async () => {
    await go('/collections?tab=aging');
    await submit(() => page.locator('#collection-rows a.drill').first().click());
    const { platform, shop, bucket, orders } = agingDrill;
    assert.equal(param('tab'), 'orders', `the drill lands on ${page.url()}`);
    assert.deepEqual([param('platform'), param('shop'), param('bucket')], [platform, shop, bucket], 'the drill\'s filters');
    assert.ok((await page.locator('#tab-orders').getAttribute('class'))?.includes('on'), 'the orders tab is on');
    assert.equal(await page.locator('#f-platform').inputValue(), platform);
    assert.equal(await page.locator('#f-shop').inputValue(), shop);
    assert.equal(await page.locator('#f-bucket').inputValue(), bucket);
    const g = await grid('collection-rows');
    const expected = X.aging_orders[`${platform}|${shop}|${bucket}`];
    assert.equal(String(g.shown), expected, `orders of ${platform} ${shop} ${bucket}`);
    assert.equal(String(g.shown), plain(orders), 'the aging row\'s own count');
    await shot('collections-drilled');
  });

  await step('collections: an order leads to its trail (p.why) and its source row', async () => {
    await go('/collections?tab=follow_up');
    const g = await grid('collection-rows');
    const days = g.rows[0][col(g, 'days_overdue')];
    const link = page.locator('#collection-rows tbody a[href^="/explain?id="]').first();
    const id = (await link.textContent()).trim();
    await submit(() => link.click());
    assert.equal(pathname(), '/explain');
    assert.equal(param('id'), id, 'the trail of the order clicked');
    const why = (await page.locator('p.why').allInnerTexts()).join(' ');
    assert.ok(why.trim().length > 0, 'no p.why on the trail');
    assert.ok(why.includes(`${days} days overdue`), `the list says ${days} days overdue, the trail: ${why}`);
    await shot('explain');
    const source = page.locator('a.source').first();
    assert.match(await source.getAttribute('href'), /^\/source\?/, 'a.source leads to /source');
    await submit(() => source.click());
    const file = page.locator('table#source-row tr', { hasText: 'source_file' });
    assert.equal(await file.count(), 1, 'the source row names its source_file');
    assert.ok(((await file.locator('td').textContent()) ?? '').trim().length > 0, 'source_file is empty');
    assert.ok((await page.locator('table#source-row').innerText()).includes(id), 'the source row is the order\'s');
    await shot('source');
  });

  await step(`collections: as of ${X.earlier.as_of}, that day's figures, as --as-of computes them`, async () => {
    await go('/collections');
    await page.fill('#f-as-of', X.earlier.as_of);
    await page.selectOption('#f-status', 'overdue');
    await submit('#f-apply');
    assert.equal(param('as_of'), X.earlier.as_of);
    assert.equal(await page.locator('#f-as-of').inputValue(), X.earlier.as_of, 'the field keeps the day');
    assert.equal(String((await grid('collection-rows')).shown), X.earlier.overdue, `overdue as of ${X.earlier.as_of}`);
    await submit('#tab-follow_up');
    assert.equal(param('as_of'), X.earlier.as_of, 'the tabs keep the day');
    const g = await grid('collection-rows');
    assert.equal(plain(g.rows[0]?.[col(g, 'outstanding')]), X.earlier.follow_up_max, `the largest overdue as of ${X.earlier.as_of}`);
    await shot('collections-earlier');
  });

  await step(`collections: an order's trail from the list as of ${X.earlier.as_of} is that day's`, async () => {
    await go(`/collections?tab=follow_up&as_of=${X.earlier.as_of}`);
    const g = await grid('collection-rows');
    const days = g.rows[0][col(g, 'days_overdue')];
    await submit(() => page.locator('#collection-rows tbody a[href^="/explain?id="]').first().click());
    const why = (await page.locator('p.why').allInnerTexts()).join(' ');
    assert.ok(why.includes(`${days} days overdue`), `the list as of ${X.earlier.as_of} says ${days} days overdue; the trail (${page.url()}): ${why}`);
  });

  // ---- Reports -----------------------------------------------------------------------
  await step('reports: the built-in reports are listed', async () => {
    await go('/reports');
    for (const r of ['collection_summary', 'sales_vs_collections', 'fees_by_platform', 'aging', 'follow_up', 'receivables',
      'discrepancies', 'bank_reconciliation', 'analysis']) {
      assert.equal(await count(`#report-${r}`), 1, `#report-${r} missing on /reports`);
    }
    for (const sel of ['#report-name', '#report-title', '#report-sql', '#report-save-submit']) {
      assert.equal(await count(sel), 1, `${sel} missing for ${USER}, who may define reports`);
    }
    await shot('reports');
  });

  await step('reports: collection_summary totals the CLI\'s sold; a row drills to its receivables', async () => {
    await go('/reports');
    await submit('#report-collection_summary');
    assert.equal(pathname(), '/reports/collection_summary');
    const g = await grid('report-rows');
    assert.equal(plain(g.totals[0]?.[col(g, 'sold')]), X.sold_total, 'total sold in the tfoot');
    await shot('report-collection-summary');
    // The row with the most orders: its drill must list exactly those.
    const n = col(g, 'orders');
    const i = g.rows.reduce((best, r, k) => (Number(plain(r[n])) > Number(plain(g.rows[best][n])) ? k : best), 0);
    const row = g.rows[i];
    await submit(() => page.locator('#report-rows tbody tr').nth(i).locator('a.drill').click());
    assert.equal(pathname(), '/drill');
    assert.equal(param('view'), 'receivables');
    const [p, s, c, m] = [param('platform'), param('shop'), param('currency'), (param('month') ?? '').slice(0, 7)];
    assert.deepEqual([p, s, m], [row[col(g, 'platform')], row[col(g, 'shop')], row[col(g, 'month')]], 'the drill\'s filters are the row\'s');
    const d = await grid('drill-rows');
    assert.equal(String(d.shown), X.month_orders[`${p}|${s}|${c}|${m}`], `receivables of ${p} ${s} ${m}`);
    assert.equal(String(d.shown), plain(row[n]), 'the row\'s own order count');
    assert.ok((await count('#drill-rows tbody a[href^="/explain?id="]')) > 0, 'each row behind leads to its trail');
    await shot('drill-receivables');
  });

  await step('reports: bank_reconciliation lines drill to bank_reconciliation_items', async () => {
    await go('/reports/bank_reconciliation');
    const g = await grid('report-rows');
    assert.ok(g.rows.length > 0, 'bank_reconciliation shows no lines');
    await shot('report-bank-reconciliation');
    const account = g.rows[0][col(g, 'account')];
    await submit(() => page.locator('#report-rows tbody tr').first().locator('a.drill').click());
    assert.equal(pathname(), '/drill');
    assert.equal(param('view'), 'bank_reconciliation_items');
    assert.equal(param('account'), account);
    const d = await grid('drill-rows');
    assert.equal(String(d.shown), X.bank_items[account], `bank_reconciliation_items of ${account}`);
    await shot('drill-bank-items');
  });

  await step('reports: bank_reconciliation is a statement: no totals row and no chart, as in its export', async () => {
    await go('/reports/bank_reconciliation');
    const g = await grid('report-rows');
    assert.equal(g.totals.length, 0, `a statement's lines are not added up (its export has no totals row), yet: ${JSON.stringify(g.totals)}`);
    assert.equal(await count('#report-rows [data-chart]'), 0, 'a statement is not charted (its export has no chart)');
  });

  await step('reports: every link on bank_reconciliation leads to a page', async () => {
    await go('/reports/bank_reconciliation');
    await linksAnswer('#report-rows tbody a');
  });

  let saved;
  await step('reports: a custom report saved on the page runs with its parameter', async () => {
    await go('/reports');
    await page.fill('#report-name', X.custom.name);
    await page.fill('#report-title', X.custom.title);
    await page.fill('#report-sql', X.custom.sql);
    await submit('#report-save-submit');
    assert.equal(pathname(), `/reports/${X.custom.name}`);
    const said = await flash('ok', 'saving the report');
    assert.ok(said.includes(`reports/${X.custom.name}.sql`), `the flash says ${said}`);
    assert.ok((await text('h1#report-title')).includes(X.custom.title), 'the page shows the report\'s title');
    assert.equal(await count('#p-since'), 1, 'a field for :since');
    assert.equal(await count('#report-run'), 1, '#report-run');
    await page.fill('#p-since', X.custom.since);
    await submit('#report-run');
    assert.equal(param('p_since'), X.custom.since);
    const g = await grid('report-rows');
    assert.equal(String(g.shown), X.custom.count, `${X.custom.name} since ${X.custom.since}`);
    assert.equal(String(g.rows.length), X.custom.count, 'rows listed');
    saved = g.rows.map((r) => [r[col(g, 'order_id')], plain(r[col(g, 'outstanding')])]);
    fs.writeFileSync(path.join(DOWNLOADS, `${X.custom.name}.json`), JSON.stringify(saved));
    await shot('report-custom');
    await go('/reports');
    assert.equal(await count(`#report-${X.custom.name}`), 1, 'the saved report is listed');
  });

  await step('reports: a query with a mistake is refused with a message, nothing saved', async () => {
    await go('/reports');
    await page.fill('#report-name', X.broken.name);
    await page.fill('#report-sql', X.broken.sql);
    await submit('#report-save-submit');
    const said = await flash('error', 'saving a broken query');
    assert.ok(said.length > 0);
    assert.equal(pathname(), '/reports', 'back on the list');
    assert.equal(await page.locator('#report-name').inputValue(), X.broken.name, 'the form keeps what was typed');
    assert.equal(await page.locator('#report-sql').inputValue(), X.broken.sql, 'the form keeps the query');
    assert.equal(await count(`#report-${X.broken.name}`), 0, 'nothing saved');
    await shot('report-refused');
  });

  await step('reports: a statement that is not a query is refused with a message, nothing saved', async () => {
    await go('/reports');
    await page.fill('#report-name', X.not_query.name);
    await page.fill('#report-sql', X.not_query.sql);
    await submit('#report-save-submit');
    await flash('error', 'saving a statement that is not a query');
    assert.equal(await count(`#report-${X.not_query.name}`), 0, 'nothing saved');
  });

  // ---- Analysis ----------------------------------------------------------------------
  await step('analysis: sections, charts drawn, headline sales and risks as the CLI', async () => {
    await go('/analysis');
    for (const sel of ['#section-0', '#section-1', '#section-2']) assert.equal(await count(sel), 1, `${sel} missing`);
    await drawn('#section-1 [data-chart]');
    await drawn('#trend-chart');
    await drawn('#forecast-chart');
    const h = await grid('section-0-rows');
    assert.equal(plain(h.rows[0]?.[col(h, 'sales')]), X.sold_total, 'headline sales');
    const r = await grid('risk-rows');
    assert.equal(String(r.shown), X.risks, 'risks listed');
    await shot('analysis');
  });

  await step('analysis: a risk\'s reference leads to its trail', async () => {
    await go('/analysis');
    const link = page.locator('#risk-rows tbody a[href^="/explain?id="]').first();
    assert.equal(await link.count(), 1, 'no risk links to /explain');
    await submit(() => link.click());
    assert.equal(pathname(), '/explain');
    assert.ok((await count('article.item-trail')) > 0, 'the trail shows the item');
    await shot('analysis-risk-trail');
  });

  let hoverErrors = [];
  await step('analysis: hovering a chart shows the table\'s figures as money', async () => {
    await go('/analysis');
    await clean('before hovering');
    const chart = page.locator('#section-1 [data-chart]');
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.6, { steps: 4 });
    // The tooltip: HTML over the chart, or text drawn on its canvas (renderMode richText).
    const handle = await chart.elementHandle();
    const shown = await page.waitForFunction(
      (el) => {
        const html = [...el.querySelectorAll('div')].filter((d) => {
          const s = getComputedStyle(d);
          return d.children.length < 20 && s.display !== 'none' && s.visibility !== 'hidden' && /\d\.\d\d/.test(d.innerText);
        }).map((d) => d.innerText);
        const drawn = [];
        const list = globalThis.echarts?.getInstanceByDom(el)?.getZr().storage.getDisplayList() ?? [];
        for (const e of list) if (typeof e.style?.text === 'string' && /\d\.\d\d/.test(e.style.text)) drawn.push(e.style.text);
        const all = [...html, ...drawn];
        return all.length ? all.join(' | ') : null;
      },
      handle,
      { timeout: 5_000 },
    ).then((h) => h.jsonValue(), () => '');
    await page.screenshot({ path: path.join(SHOTS, 'p2-analysis-tooltip.png'), clip: box });
    hoverErrors = errors;
    errors = [];
    note(`tooltip: ${JSON.stringify(shown)}`);
    assert.ok(shown, 'no tooltip over the chart');
    const figures = shown.match(/-?\d{1,3}(,\d{3})*\.\d{2}/g) ?? [];
    assert.ok(figures.length > 0, `the tooltip shows no money with separators and two decimals: ${shown}`);
    const table = (await grid('section-1-rows')).rows.flat();
    for (const f of figures) assert.ok(table.includes(f), `the tooltip's ${f} is not in the table beside the chart`);
  });

  await step('analysis: the tooltip breaks no content security policy (no console errors)', async () => {
    const seen = [...new Set(hoverErrors.map((e) => e.slice(0, 110)))];
    assert.deepEqual(seen, [], `${hoverErrors.length} console errors while hovering`);
  });

  // ---- SQL ---------------------------------------------------------------------------
  await step('sql: the schema names receivables; a query\'s table is the CLI\'s', async () => {
    await go('/sql');
    assert.ok((await page.locator('#sql-schema').innerText()).includes('receivables'), '#sql-schema does not name receivables');
    await page.fill('#sql-text', X.sql.text);
    await submit('#sql-run');
    assert.equal(param('sql'), X.sql.text);
    const g = await grid('sql-rows');
    assert.deepEqual(g.rows.map((r) => r.map(plain)), X.sql.rows, 'the page\'s table against the CLI\'s');
    await shot('sql');
  });

  await step('sql: Ctrl+Enter in the editor runs the query', async () => {
    await go('/sql');
    await page.locator('#sql-text').fill(X.sql.text);
    // The page's own script: an answer within seconds, or none.
    await submit(() => page.locator('#sql-text').press('Control+Enter'), { timeout: 5_000 })
      .catch((e) => { throw new Error(`Ctrl+Enter in #sql-text loaded no page (${oneLine(e).slice(0, 60)}…)`); });
    assert.equal(param('sql'), X.sql.text);
    assert.equal(String((await grid('sql-rows')).shown), String(X.sql.rows.length));
  });

  await step('sql: a statement that is not a query shows #sql-error and creates nothing', async () => {
    await go('/sql');
    await page.fill('#sql-text', X.sql.not_query);
    await submit('#sql-run');
    assert.ok((await text('#sql-error')).length > 0, '#sql-error is empty');
    assert.equal(await count('#sql-result'), 0, 'a result beside the error');
    await shot('sql-error');
    await go(`/sql?sql=${encodeURIComponent(X.sql.view_exists)}`);
    assert.equal(plain((await grid('sql-rows')).rows[0]?.[0]), '0', 'the view was not created');
  });

  // ---- Exports -----------------------------------------------------------------------
  await step('export: the collection summary, the analysis and a query download as Excel and PDF', async () => {
    await go('/reports/collection_summary');
    await download('.export-xlsx', 'collection_summary');
    await download('.export-pdf', 'collection_summary');
    await go('/analysis');
    await download('.export-xlsx', 'analysis');
    await download('.export-pdf', 'analysis');
    await go(`/sql?sql=${encodeURIComponent(X.sql.text)}`);
    await download('#sql-result .export-xlsx', 'sql');
    await download('#sql-result .export-pdf', 'sql');
  });

  // ---- English -----------------------------------------------------------------------
  await step('English: the collections headings become the column names; every page loads', async () => {
    await go('/collections');
    await submit('a#lang-toggle');
    assert.equal(pathname(), '/collections', 'the toggle stays on the page');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    const s = await grid('status-summary');
    for (const h of ['status', 'currency', 'orders', 'outstanding']) assert.ok(s.headers.includes(h), `${h} among ${s.headers}`);
    const g = await grid('collection-rows');
    for (const h of ['order_id', 'platform', 'shop', 'outstanding', 'status']) assert.ok(g.headers.includes(h), `${h} among ${g.headers}`);
    assert.equal(await text('#tab-aging'), 'Aging');
    await shot('en-collections');
    await go('/collections?tab=aging');
    await shot('en-collections-aging');
    await go('/reports');
    await go('/reports/collection_summary');
    assert.ok((await grid('report-rows')).headers.includes('sold'), 'sold heads its column in English');
    await shot('en-report');
    await go('/analysis');
    await shot('en-analysis');
    await go(`/sql?sql=${encodeURIComponent(X.sql.text)}`);
    assert.deepEqual((await grid('sql-rows')).headers, ['platform', 'outstanding']);
    await shot('en-sql');
    await submit('a#lang-toggle');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN', 'toggled back');
  });

  // ---- A viewer ----------------------------------------------------------------------
  await step('viewer: no export buttons, no report editor, and /export refuses with 403', async () => {
    await submit('button#logout-submit');
    await login(VIEWER, VIEWER_PASSWORD);
    for (const p of ['/collections', '/reports/collection_summary', '/analysis', `/sql?sql=${encodeURIComponent(X.sql.text)}`]) {
      await go(p);
      assert.equal(await count('.export-xlsx, .export-pdf, form.export'), 0, `export buttons shown to a viewer on ${p}`);
    }
    await go('/reports');
    assert.equal(await count('#report-save-submit'), 0, 'the report editor is shown to a viewer');
    await go('/reports/collection_summary');
    const token = await csrfToken();
    assert.ok(token, 'no meta[name=csrf-token]');
    assert.equal(await post('/export', { csrf: token, what: 'report', name: 'collection_summary', format: 'xlsx' }), 403);
    assert.equal(await post('/export', { csrf: token, what: 'sql', sql: X.sql.text, format: 'pdf' }), 403);
    assert.equal(await post('/reports', { csrf: token, name: 'viewer_report', sql: 'SELECT 1' }), 403);
    await shot('viewer-report');
  });

  await step('viewer: the SQL page runs, names masked as the CLI masks them for a viewer', async () => {
    await go('/sql');
    await page.fill('#sql-text', X.viewer.sql);
    await submit('#sql-run');
    const g = await grid('sql-rows');
    assert.deepEqual(g.rows, X.viewer.rows, 'the viewer\'s rows against `recon sql` run as the viewer');
    assert.notDeepEqual(g.rows, X.viewer.unmasked, 'the viewer sees the names whole');
    await shot('viewer-sql');
  });
}

const watchdog = setTimeout(() => {
  console.error(`not ok - ${current}: the whole run took over ${WHOLE_RUN / 60_000} minutes`);
  process.exit(1);
}, WHOLE_RUN);

const started = Date.now();
try {
  await main();
  if (failures > 0) {
    console.error(`not ok - ${failures} steps failed`);
    process.exitCode = 1;
  } else {
    console.log('all steps passed');
  }
} catch (e) {
  let where = '';
  if (page) {
    where = ` (at ${page.url()})`;
    await page.screenshot({ path: path.join(SHOTS, 'p2-failure.png'), fullPage: true }).catch(() => {});
    const flashes = await page.locator('.flash').allTextContents().catch(() => []);
    if (flashes.length) where += `; flash: ${flashes.map((f) => f.trim()).join(' | ')}`;
  }
  console.error(`not ok - ${current}: ${oneLine(e)}${where}`);
  process.exitCode = 1;
} finally {
  note(`the browser run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  clearTimeout(watchdog);
  await browser?.close().catch(() => {});
}
