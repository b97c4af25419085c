// Shared helpers for IRRA's real-browser tests: Debian's chromium driven by playwright-core,
// the OTP read from the server's notification file, screenshots, and a watch for
// Content-Security-Policy violations and uncaught page errors.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const screenshotDir = path.join(repoRoot, 'var', 'test', 'screenshots');

export const config = {
  url: (process.env.IRRA_URL || 'https://127.0.0.1:18443').replace(/\/+$/, ''),
  notifyFile: process.env.IRRA_NOTIFY_FILE || path.join(repoRoot, 'var', 'notifications.jsonl'),
  ucc: process.env.IRRA_UCC || 'C000001',
  standbyUrl: (process.env.IRRA_STANDBY_URL || '').replace(/\/+$/, ''),
  chromium: process.env.IRRA_CHROMIUM || '/usr/bin/chromium',
  requireLive: process.env.IRRA_REQUIRE_LIVE !== '0',
};

export const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
};

/**
 * Launches Debian's chromium. Playwright gives every launch a fresh temporary profile
 * (its own --user-data-dir), so no state leaks between runs.
 */
export async function launch() {
  return chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: [
      '--headless',
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

/**
 * A fresh browser context with the viewport, trusting the self-signed certificate, plus a
 * record of CSP violations and uncaught errors the test checks at the end.
 */
export async function openPage(browser, kind) {
  const context = await browser.newContext({
    ...VIEWPORTS[kind],
    ignoreHTTPSErrors: true,
    locale: 'en-IN',
    timezoneId: 'Asia/Kolkata',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return { context, page, problems };
}

/** var/test/screenshots/<kind>-<step>.png, replaced on every run. */
export async function screenshot(page, kind, step) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${kind}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Bytes in the notification file now: OTPs are looked for only after this point. */
export function notifyOffset() {
  try {
    return fs.statSync(config.notifyFile).size;
  } catch {
    return 0;
  }
}

/** Waits for the OTP message for `ucc` written after `offset`; returns the 6 digits. */
export async function waitForOtp(ucc, offset, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let text = '';
    try {
      const fd = fs.openSync(config.notifyFile, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          fs.readSync(fd, buf, 0, buf.length, offset);
          text = buf.toString('utf8');
        }
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Not written yet.
    }
    let found = null;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const m = JSON.parse(line);
        if (m.type === 'otp' && String(m.ucc).toUpperCase() === ucc.toUpperCase()) found = String(m.otp);
      } catch {
        // A line still being written.
      }
    }
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no OTP for ${ucc} in ${config.notifyFile} within ${timeoutMs} ms`);
}

/** Quantities as the page shows them: Indian grouping, U+2212 for a short position. */
export function fmtQty(n) {
  return (n < 0 ? '\u2212' : '') + new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 }).format(Math.abs(n));
}

/** GET an API path with the page's cookies (the context shares them). */
export async function apiGet(context, p) {
  const res = await context.request.get(`${config.url}/api/v1${p}`, { failOnStatusCode: false });
  return { status: res.status(), body: res.status() === 204 ? null : await res.json().catch(() => null) };
}

export const asList = (d, key) => (Array.isArray(d) ? d : d && Array.isArray(d[key]) ? d[key] : []);
