// End-to-end test of the web workbench (`recon serve`) in headless Chromium via playwright-core: prints "ok - <step>" per step, stops at the first failure.
//
// Environment: RECON_URL, RECON_SAMPLES, RECON_USER, RECON_PASSWORD, RECON_VIEWER,
// RECON_VIEWER_PASSWORD, RECON_SHOTS. Run by tests/it/web_browser.rs, or by hand:
//   RECON_URL=http://127.0.0.1:PORT RECON_SAMPLES=sample-data ... node tests/web/e2e.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, need } from './env.mjs';

const BASE = need('RECON_URL').replace(/\/+$/, '');
const SAMPLES = path.resolve(need('RECON_SAMPLES'));
const USER = need('RECON_USER');
const PASSWORD = need('RECON_PASSWORD');
const VIEWER = need('RECON_VIEWER');
const VIEWER_PASSWORD = need('RECON_VIEWER_PASSWORD');
const SHOTS = path.resolve(need('RECON_SHOTS'));

const TIMEOUT = 30_000; // one page, one navigation
const LONG = 60_000; // importing every sample file, a reconciliation run
const WHOLE_RUN = 15 * 60_000;

// The order `recon demo` imports in: orders, settlements, bank, then the warehouse side.
const FOLDERS = ['orders', 'settlements', 'bank', 'shipments', 'returns', 'courier', 'inventory'];

/** Every sample file under `dir`, recursively, less README*.md and anything under `truth/`. */
function sampleFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'truth') walk(p);
      } else if (e.isFile() && !/^README.*\.md$/i.test(e.name)) {
        out.push(p);
      }
    }
  };
  walk(dir);
  const rank = (p) => {
    const i = FOLDERS.indexOf(path.relative(dir, p).split(path.sep)[0]);
    return i < 0 ? FOLDERS.length : i;
  };
  return out.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

let browser;
let page;
let current = 'setup';

async function step(name, fn) {
  current = name;
  await fn();
  console.log(`ok - ${name}`);
}

const note = (text) => console.log(`# ${text}`);
const url = (p) => BASE + p;
const pathname = () => new URL(page.url()).pathname;
const count = (sel) => page.locator(sel).count();
const text = async (sel) => {
  if ((await count(sel)) === 0) throw new Error(`${sel} is missing on ${pathname()}`);
  return ((await page.locator(sel).first().textContent()) ?? '').trim();
};
const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Follows a link's href (relative or absolute) in this tab. */
const follow = (href) => go(new URL(href, url('/')).href.slice(BASE.length));

async function go(p) {
  const res = await page.goto(url(p), { waitUntil: 'load' });
  await page.waitForLoadState();
  return res;
}

/** Clicks (or presses) something that loads a new page, and waits for it. */
async function submit(action, timeout = TIMEOUT) {
  const nav = page.waitForNavigation({ timeout, waitUntil: 'load' });
  await (typeof action === 'function' ? action() : page.locator(action).first().click());
  await nav;
  await page.waitForLoadState();
}

/** Polls `fn` until it returns something truthy. */
async function until(fn, what, timeout = 5_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/** The page shows `.flash.ok` and no `.flash.error`. */
async function flashOk(what) {
  await page.locator('.flash.ok, .flash.error').first().waitFor({ timeout: TIMEOUT }).catch(() => {});
  if ((await count('.flash.error')) > 0) {
    throw new Error(`${what}: the page shows an error: ${await text('.flash.error')}`);
  }
  assert.ok((await count('.flash.ok')) > 0, `${what}: no .flash.ok on ${page.url()}`);
}

async function noError(what) {
  if ((await count('.flash.error')) > 0) {
    throw new Error(`${what}: the page shows an error: ${await text('.flash.error')}`);
  }
}

/** The layout of every logged-in page: nav, who, logout. */
async function layout(user, { viewer = false } = {}) {
  const sels = ['nav#nav', 'a#nav-home', 'a#nav-workbench', '#who', 'form#logout', 'button#logout-submit'];
  if (!viewer) sels.push('a#nav-import'); // a viewer may not import
  for (const sel of sels) {
    assert.equal(await count(sel), 1, `${sel} missing on ${pathname()}`);
  }
  assert.ok((await text('#who')).includes(user), `#who shows "${await text('#who')}", not ${user}`);
}

async function login(user, password) {
  await go('/login');
  await page.fill('form#login input[name=user]', user);
  await page.fill('form#login input[name=password]', password);
  await submit('button#login-submit');
}

async function logout() {
  await submit('button#logout-submit');
  assert.equal(pathname(), '/login', `after logout the browser is at ${page.url()}`);
}

/** Uploads `files` on /import, checks the preview, imports every file; returns to the report. */
async function importFiles(files, shots) {
  await go('/import');
  await page.setInputFiles('form#upload input#files[type=file][name=files]', files);
  await submit('button#upload-submit');
  await noError('upload');
  const rows = page.locator('table#preview tr.file');
  assert.equal(await rows.count(), files.length, `table#preview has ${await rows.count()} tr.file for ${files.length} files`);
  for (let i = 0; i < files.length; i++) {
    const row = rows.nth(i);
    const name = ((await row.textContent()) ?? '').trim().split(/\s+/)[0];
    assert.equal(await row.locator('input.pick[type=checkbox]').count(), 1, `no input.pick in preview row ${i} (${name})`);
    assert.ok(await row.locator('input.pick').isChecked(), `preview row ${i} (${name}) is not ticked`);
    const explain = ((await row.locator('pre.explain').textContent()) ?? '').trim();
    assert.ok(explain.length > 0, `preview row ${i} (${name}) has no pre.explain text`);
  }
  if (shots) await shot('import-preview');
  await submit('button#import-commit', LONG);
  await noError('import commit');
  const reports = page.locator('section.report');
  assert.equal(await reports.count(), files.length, `${await reports.count()} section.report for ${files.length} files`);
  const ids = [];
  for (let i = 0; i < files.length; i++) {
    const r = reports.nth(i);
    assert.ok((await r.locator('pre').count()) > 0, `section.report ${i} has no pre`);
    const id = await r.getAttribute('data-import');
    if (id && /^\d+$/.test(id)) ids.push(Number(id));
  }
  assert.ok(ids.length > 0, 'no section.report carries a numeric data-import');
  assert.ok((await count('form.undo-import button.undo-import-submit')) > 0, 'no form.undo-import with button.undo-import-submit');
  if (shots) await shot('import-report');
  return ids;
}

/** A row of a workbench pane, by its data-id. */
const item = (pane, id) => page.locator(`table#${pane} tr.item[data-id=${JSON.stringify(id)}]`);

/** Selects a row by clicking one of its cells that holds no link, button or tick. */
async function select(pane, id) {
  const row = item(pane, id);
  const plain = row.locator('td').filter({ hasNot: page.locator('input, a, button, select') }).first();
  await ((await plain.count()) > 0 ? plain : row).click();
  await page.waitForLoadState();
  await until(async () => (await item(pane, id).getAttribute('class'))?.split(/\s+/).includes('selected'), `${pane} row ${id} to get class selected`);
}

const ids = (pane) => page.locator(`table#${pane} tr.item`).evaluateAll((rows) => rows.map((r) => r.dataset.id));

/** Ticks the first `n` rows of a pane (all of them when n is undefined). */
async function tick(pane, n) {
  const ticks = page.locator(`table#${pane} tr.item input.tick[type=checkbox]`);
  const total = await ticks.count();
  const k = n === undefined ? total : n;
  assert.ok(total >= k, `table#${pane} has ${total} input.tick, ${k} needed`);
  for (let i = 0; i < k; i++) await ticks.nth(i).check();
}

async function decide(button, reason) {
  await page.fill('form#decide input[name=reason]', reason);
  await submit(`button#${button}`, LONG);
  await flashOk(button);
}

/** Runs `fetch(path, POST body)` inside the page; returns the HTTP status. */
const post = (p, fields) =>
  page.evaluate(
    async ([p, fields]) => (await fetch(p, { method: 'POST', body: new URLSearchParams(fields) })).status,
    [p, fields],
  );
const csrfToken = () => page.locator('meta[name=csrf-token]').getAttribute('content');

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const files = sampleFiles(SAMPLES);
  assert.ok(files.length > 0, `no sample files under ${SAMPLES}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  page.on('dialog', (d) => d.accept()); // a confirm() before an undo
  page.on('pageerror', (e) => note(`script error on ${page.url()}: ${e.message}`));

  await step('login page in Chinese, language toggle to English and back', async () => {
    await go('/login');
    for (const sel of ['form#login', 'form#login input[name=user]', 'form#login input[name=password]', 'button#login-submit', 'a#lang-toggle']) {
      assert.equal(await count(sel), 1, `${sel} missing on /login`);
    }
    const lang = () => page.locator('html').getAttribute('lang');
    assert.equal(await lang(), 'zh-CN');
    await submit('a#lang-toggle');
    assert.equal(await lang(), 'en', 'after the toggle');
    assert.equal(pathname(), '/login', 'the toggle stays on the login page');
    await submit('a#lang-toggle');
    assert.equal(await lang(), 'zh-CN', 'after the second toggle');
    await shot('login');
  });

  await step('a wrong password shows .flash.error', async () => {
    await login(USER, `${PASSWORD}-wrong`);
    assert.equal(pathname(), '/login');
    assert.ok((await count('.flash.error')) > 0, 'no .flash.error after a wrong password');
  });

  await step('login lands on / with the layout', async () => {
    await login(USER, PASSWORD);
    assert.equal(pathname(), '/', `after login the browser is at ${page.url()}`);
    await layout(USER);
  });

  await step('home shows the figures and the import button', async () => {
    assert.equal(await count('table#imported'), 1, 'table#imported missing');
    for (const sel of ['#open-payouts', '#open-bank', '#open-orders', '#open-candidates', '#overdue', '#open-anomalies']) {
      assert.match(await text(sel), /^\d/, `${sel} does not start with a count`);
    }
    assert.equal(await count('#last-run'), 1, '#last-run missing');
    await submit('a#import-button');
    assert.equal(pathname(), '/import', 'a#import-button');
    await layout(USER);
  });

  await step(`import all ${files.length} sample files: preview, commit, report`, async () => {
    await importFiles(files, true);
  });

  await step('home lists the imported tables', async () => {
    await go('/');
    const n = await count('table#imported tbody tr');
    assert.ok(n >= 3, `table#imported has ${n} rows: orders, settlements and bank lines at least were imported`);
    await shot('home');
  });

  let undone;
  await step('imports list: undo the newest import', async () => {
    await go('/imports');
    await layout(USER);
    const rows = page.locator('table#imports tr[data-import]');
    assert.ok((await rows.count()) >= files.length, `table#imports has ${await rows.count()} rows for ${files.length} files`);
    await shot('imports');
    // Newest first: the first row is the import just made.
    const last = rows.first();
    const id = await last.getAttribute('data-import');
    const row = ((await last.textContent()) ?? '').replace(/\s+/g, ' ');
    undone = [...files].sort((a, b) => b.length - a.length).find((f) => row.includes(path.basename(f)));
    assert.ok(undone, `the newest import's row names no sample file: ${row}`);
    assert.equal(await last.locator('button.undo-import-submit').count(), 1, `no button.undo-import-submit in import ${id}'s row`);
    await submit(() => last.locator('button.undo-import-submit').click());
    await flashOk('undo import');
    const cls = await page.locator(`table#imports tr[data-import="${id}"]`).getAttribute('class');
    assert.ok((cls ?? '').split(/\s+/).includes('undone'), `import ${id}'s row has class "${cls}", not undone`);
  });

  await step('re-import the undone file on its own', async () => {
    await importFiles([undone], false);
  });

  let runId;
  await step('run reconciliation from the workbench', async () => {
    await go('/workbench');
    await page.fill('form#run input[name=period]', '');
    await submit('button#run-submit', LONG);
    await page.waitForURL(/\/runs\/\d+(\?.*)?$/, { timeout: LONG });
    await page.locator('#run-summary').waitFor({ timeout: LONG });
    runId = pathname().split('/').pop();
    await layout(USER);
    await shot('run-summary');
    await go('/');
    assert.ok((await text('#last-run')).includes(runId), `#last-run "${await text('#last-run')}" does not name run ${runId}`);
  });

  await step('workbench panes, filters', async () => {
    await go('/workbench');
    await layout(USER);
    for (const sel of ['form#filters select[name=platform]', 'form#filters input[name=q]', 'form#filters input[name=from]',
      'form#filters input[name=to]', 'form#filters input[name=min]', 'form#filters input[name=max]', 'button#filter-apply',
      'table#left', 'table#right', 'form#decide input[name=reason]', 'form#decide input[name=amount]',
      'button#match-submit', 'button#writeoff-submit', 'button#unmatch-submit', '#difference']) {
      assert.ok((await count(sel)) > 0, `${sel} missing on /workbench`);
    }
    assert.ok((await count('table#left tr.item')) > 0, 'table#left has no tr.item');
    assert.ok((await count('table#right tr.item[data-kind=bank]')) > 0, 'table#right has no tr.item[data-kind=bank]');
    const kinds = await page.locator('table#left tr.item').evaluateAll((r) => [...new Set(r.map((e) => e.dataset.kind))]);
    assert.ok(kinds.every((k) => k === 'payout' || k === 'order'), `left data-kind values: ${kinds}`);
    await page.fill('form#filters input[name=q]', 'zz-no-such-thing-zz');
    await submit('button#filter-apply');
    assert.equal(await count('table#left tr.item'), 0, 'a query matching nothing leaves rows on the left');
    await page.fill('form#filters input[name=q]', '');
    await submit('button#filter-apply');
    assert.ok((await count('table#left tr.item')) > 0, 'clearing the query brings no rows back');
  });

  let sourceHref;
  await step('select a row, arrow keys move the selection', async () => {
    const left = await ids('left');
    await select('left', left[0]);
    if (left.length > 1) {
      await page.keyboard.press('ArrowDown');
      await page.waitForLoadState();
      await until(async () => (await item('left', left[1]).getAttribute('class'))?.includes('selected'), 'ArrowDown to select the second row');
      await page.keyboard.press('ArrowUp');
      await page.waitForLoadState();
      await until(async () => (await item('left', left[0]).getAttribute('class'))?.includes('selected'), 'ArrowUp to select the first row');
    } else {
      note('one row on the left: arrow keys not tried');
    }
    await shot('workbench');
    const links = page.locator('table#left a.source, table#right a.source');
    assert.ok((await links.count()) > 0, 'no a.source link on the workbench rows');
    sourceHref = await links.first().getAttribute('href');
  });

  await step('a.source shows the stored row', async () => {
    assert.ok(sourceHref?.includes('/source'), `a.source href is ${sourceHref}`);
    await follow(sourceHref);
    assert.ok((await count('table#source-row tr')) > 0, 'table#source-row missing or empty');
    await shot('source-row');
  });

  await step('accept a candidate with the keyboard, the selection moving on', async () => {
    await go('/');
    const reported = parseInt(await text('#open-candidates'), 10);
    assert.ok(reported > 0, 'home reports no candidates; the test workspace holds a tie (two equal payouts, one credit)');
    await go('/workbench');
    let found = null;
    for (const pane of ['left', 'right']) {
      for (const id of await ids(pane)) {
        await select(pane, id);
        await page.waitForLoadState('networkidle');
        if ((await count('section#candidates tr.candidate')) > 0) {
          found = { pane, id };
          break;
        }
      }
      if (found) break;
    }
    assert.ok(found, `home reports ${reported} items with candidates, the workbench shows none`);
    await submit(() => page.keyboard.press('Enter'), LONG);
    await flashOk('accept');
    assert.equal(await count('tr.item.selected'), 1, 'after accepting, the next item is selected');
    const now = await page.getAttribute('tr.item.selected', 'data-id');
    assert.notEqual(now, found.id, 'the accepted item is gone and the selection moved on');
    await shot('accepted');
  });

  await step('match one left item to two bank lines by hand, then undo', async () => {
    await go('/workbench');
    const before = await text('#difference');
    await tick('left', 1);
    await until(async () => (await text('#difference')) !== before, `#difference to change from "${before}" after ticking a left row`);
    await tick('right', 2);
    await decide('match-submit', 'e2e: one payout, two credits');
    assert.equal(await count('form#undo-decision button#undo-decision-submit'), 1, 'no form#undo-decision after the match');
    await submit('button#undo-decision-submit', LONG);
    await flashOk('undo decision');
  });

  await step('write off one left item', async () => {
    await go('/workbench');
    await tick('left', 1);
    await decide('writeoff-submit', 'e2e: write-off');
  });

  await step('write off everything open, page by page', async () => {
    for (let i = 0; ; i++) {
      await go('/workbench');
      const l = await count('table#left tr.item');
      const r = await count('table#right tr.item');
      if (l === 0 && r === 0) break;
      assert.ok(i < 50, `still ${l} left and ${r} right rows after 50 write-offs`);
      const pane = l > 0 ? 'left' : 'right';
      await tick(pane); // no amount: the server writes off each ticked item by what is open on it
      await decide('writeoff-submit', `e2e: clear ${pane}`);
    }
    await go('/');
    for (const sel of ['#open-payouts', '#open-bank', '#open-orders']) {
      assert.match(await text(sel), /^0(\D|$)/, `${sel} shows "${await text(sel)}"`);
    }
  });

  await step('a POST without the CSRF token is refused with 403', async () => {
    await go('/workbench');
    assert.equal(await post('/decide', { action: 'writeoff', reason: 'x' }), 403);
  });

  await step('logout, and / then redirects to /login', async () => {
    await logout();
    await go('/');
    assert.equal(pathname(), '/login', `GET / after logout ends at ${page.url()}`);
  });

  await step('a viewer sees no decision buttons and the server refuses its decisions', async () => {
    await login(VIEWER, VIEWER_PASSWORD);
    assert.equal(pathname(), '/', `after the viewer's login the browser is at ${page.url()}`);
    await layout(VIEWER, { viewer: true });
    await go('/workbench');
    assert.equal(await count('button#match-submit'), 0, 'button#match-submit is shown to a viewer');
    const token = await csrfToken();
    assert.ok(token, 'no meta[name=csrf-token] on /workbench');
    const order = (await page.locator('table#left tr.item').first().getAttribute('data-id').catch(() => null)) ?? 'x';
    assert.equal(await post('/decide', { action: 'writeoff', reason: 'x', orders: order, csrf: token }), 403);
    await shot('viewer-workbench');
    if (sourceHref) {
      await follow(sourceHref);
      await shot('viewer-source');
    }
    await go('/workbench');
    await logout();
  });

  await step('5 wrong passwords lock the viewer out', async () => {
    for (let i = 0; i < 5; i++) {
      await login(VIEWER, `${VIEWER_PASSWORD}-wrong-${i}`);
      assert.ok((await count('.flash.error')) > 0, `no .flash.error after wrong password ${i + 1}`);
    }
    await login(VIEWER, VIEWER_PASSWORD);
    assert.equal(pathname(), '/login', `the locked viewer got in: ${page.url()}`);
    assert.ok((await count('.flash.error')) > 0, 'no .flash.error for the locked viewer');
  });
}

const watchdog = setTimeout(() => {
  console.error(`not ok - ${current}: the whole run took over ${WHOLE_RUN / 60_000} minutes`);
  process.exit(1);
}, WHOLE_RUN);

try {
  await main();
  console.log('all steps passed');
} catch (e) {
  let where = '';
  if (page) {
    where = ` (at ${page.url()})`;
    await page.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
    const flash = await page.locator('.flash').allTextContents().catch(() => []);
    if (flash.length) where += `; flash: ${flash.map((f) => f.trim()).join(' | ')}`;
  }
  console.error(`not ok - ${current}: ${String(e?.message ?? e).replace(/\s*\n+\s*/g, ' ')}${where}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await browser?.close().catch(() => {});
}
