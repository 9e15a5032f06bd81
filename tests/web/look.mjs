// Screenshots of pages for a person to look at (not a test): RECON_URL, RECON_USER,
// RECON_PASSWORD, RECON_SHOTS; the pages are the arguments (paths), e.g. /collections.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './env.mjs';

const BASE = process.env.RECON_URL.replace(/\/+$/, '');
const browser = await chromium.launch({ executablePath: CHROMIUM });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(`${BASE}/login`);
await page.fill('input[name=user]', process.env.RECON_USER);
await page.fill('input[name=password]', process.env.RECON_PASSWORD);
await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
for (const [i, p] of process.argv.slice(2).entries()) {
  const r = await page.goto(`${BASE}${p}`);
  await page.waitForTimeout(400);
  const file = path.join(process.env.RECON_SHOTS, `${String(i).padStart(2, '0')}.png`);
  await page.screenshot({ path: file, fullPage: !!process.env.FULL });
  console.log(r.status(), p, file, errors.splice(0).join(' | '));
}
await browser.close();
