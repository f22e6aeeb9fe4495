// Loads pages cold in Debian's Chromium, one fresh browser context each (an empty cache),
// and reports what each transferred: WASM and JS bytes as sent (compressed) and as
// decoded, the largest contentful paint, and the layout shift up to then and through
// hydration. Used by scripts/page-weight.sh, which serves the build and sets up Ada.
import { chromium } from '@playwright/test';

const base = process.env.GATEHOUSE_URL;
const routes = [
  { name: 'Sign in', path: '/sign-in', signedIn: false },
  { name: 'Users', path: '/acme/settings/users', signedIn: true },
  { name: 'Groups', path: '/acme/settings/groups', signedIn: true },
  { name: 'Audit log', path: '/acme/settings/audit-log', signedIn: true },
  { name: 'All users', path: '/settings', signedIn: true },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = [];
for (const route of routes) {
  const context = await browser.newContext({ baseURL: base });
  if (route.signedIn) {
    const signIn = await context.request.post('/api/sign-in', {
      form: { email: 'ada@example.com', password: 'analytical engine' },
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    if (!signIn.ok()) throw new Error(`signing in failed: ${signIn.status()}`);
  }
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      window.__lcp = entries[entries.length - 1].startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const files = [];
  page.on('requestfinished', async (request) => {
    const url = new URL(request.url());
    if (!/\.(wasm|js)$/.test(url.pathname)) return;
    const response = await request.response();
    const sizes = await request.sizes();
    files.push({
      file: url.pathname,
      sent: sizes.responseBodySize,
      decoded: (await response.body()).length,
      encoding: (await response.allHeaders())['content-encoding'] ?? 'none',
    });
  });
  await page.goto(route.path, { waitUntil: 'networkidle' });
  // Hydrated: the page's controls are enabled once the WASM runs.
  await page.waitForFunction(() => document.querySelector('button:enabled') !== null);
  await page.waitForTimeout(500);
  const { lcp, shift } = await page.evaluate(() => ({ lcp: window.__lcp, shift: window.__shift }));
  const wasm = files.filter((file) => file.file.endsWith('.wasm'));
  const sum = (list, key) => list.reduce((total, file) => total + file[key], 0);
  results.push({
    route: `${route.name} (${route.path})`,
    wasmFiles: wasm.length,
    wasmSent: sum(wasm, 'sent'),
    wasmDecoded: sum(wasm, 'decoded'),
    jsSent: sum(files.filter((file) => file.file.endsWith('.js')), 'sent'),
    encoding: [...new Set(wasm.map((file) => file.encoding))].join(','),
    lcpMs: Math.round(lcp ?? -1),
    layoutShift: Number(shift.toFixed(4)),
    // The main module and the areas' own; the modules of code areas share, summed.
    files: [
      ...wasm
        .filter((file) => !file.file.startsWith('/pkg/chunk_'))
        .map((file) => `${file.file.replace('/pkg/', '')} ${file.sent}`),
      `${wasm.filter((file) => file.file.startsWith('/pkg/chunk_')).length} shared modules ` +
        `${sum(wasm.filter((file) => file.file.startsWith('/pkg/chunk_')), 'sent')}`,
    ].join(', '),
  });
  await context.close();
}
await browser.close();
console.table(results.map(({ files, ...row }) => row));
for (const row of results) console.log(`${row.route}: ${row.files}`);
