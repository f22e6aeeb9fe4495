import { defineConfig } from '@playwright/test';

// The server is started by scripts/e2e.sh on a free port with a fresh SQLite file, and a
// second one, as fresh, for the tests with JavaScript turned off.
const baseURL = process.env.GATEHOUSE_E2E_URL ?? 'http://127.0.0.1:3000';
const noJavaScriptURL = process.env.GATEHOUSE_E2E_NO_JAVASCRIPT_URL ?? 'http://127.0.0.1:3001';
const lookURL = process.env.GATEHOUSE_E2E_LOOK_URL ?? 'http://127.0.0.1:3002';

export default defineConfig({
  testDir: './tests',
  // One browser at a time: the tests share one instance, and the machine has two cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  expect: {
    timeout: 10_000,
    // Antialiasing may differ by a few pixels between runs; a changed look moves far more.
    toHaveScreenshot: { maxDiffPixelRatio: 0.002, animations: 'disabled', caret: 'hide' },
  },
  // One baseline per screenshot, named by the test, whatever the machine's platform.
  snapshotPathTemplate: '{testDir}/screenshots/{arg}{ext}',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    // An empty instance is set up through the UI first; everything else builds on it.
    { name: 'first-run', testMatch: /first-run\.spec\.ts/ },
    {
      name: 'signed-in',
      testIgnore: /(first-run|accessibility|keyboard|hydration|no-javascript|look)\.spec\.ts/,
      dependencies: ['first-run'],
    },
    // Last, so that the users and groups they make appear in no other test's listings.
    { name: 'whole-app', testMatch: /(accessibility|keyboard|hydration)\.spec\.ts/, dependencies: ['signed-in'] },
    // Its own instance, set up by its first test, so the screenshots show the same people
    // every run.
    { name: 'look', testMatch: /look\.spec\.ts/, use: { baseURL: lookURL } },
    // Its own instance, which it sets up itself with JavaScript off.
    {
      name: 'no-javascript',
      testMatch: /no-javascript\.spec\.ts/,
      use: { baseURL: noJavaScriptURL, javaScriptEnabled: false },
    },
  ],
});
