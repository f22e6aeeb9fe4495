import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, type Page, expect, test as base } from '@playwright/test';

/**
 * Every test fails if a page throws an uncaught error, the WASM panics, or the browser
 * refuses something under the Content-Security-Policy: each would leave a person with a
 * page that silently stopped working. It holds for every page of every browser context
 * the test opens, including the invitees' own. And the page each test ends on passes the
 * accessibility check below, so every page the suite reaches, in the state it leaves it, is
 * checked.
 */
export const test = base.extend<{ failOnPageErrors: void }>({
  failOnPageErrors: [
    async ({ browser, context, page, javaScriptEnabled }, use) => {
      const errors: string[] = [];
      await watch(context, errors);
      watchPage(page, errors);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const opened = await newContext(options);
        await watch(opened, errors);
        return opened;
      };
      await use();
      browser.newContext = newContext;
      expect(errors, 'errors in the page').toEqual([]);
      // The API docs are the vendored Swagger UI, not ours to change. axe-core can't run
      // where JavaScript is off; the same pages are checked with it on.
      if (
        javaScriptEnabled &&
        page.url().startsWith('http') &&
        !new URL(page.url()).pathname.startsWith('/api/docs')
      ) {
        await expectAccessible(page);
      }
    },
    { auto: true },
  ],
});

async function watch(context: BrowserContext, errors: string[]) {
  await context.exposeBinding('reportPolicyViolation', (_source, violation: string) => {
    errors.push(`Content-Security-Policy violation: ${violation}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportPolicyViolation: (text: string) => void })
        .reportPolicyViolation;
      report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'}`);
    });
  });
  context.on('page', (page) => watchPage(page, errors));
}

function watchPage(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('panicked')) {
      errors.push(message.text());
    }
  });
}

/**
 * axe-core's WCAG 2.1 A and AA rules on the page, or only inside `scope` (a CSS selector,
 * such as an open dialog): no serious or critical violation.
 */
export async function expectAccessible(page: Page, scope?: string) {
  let check = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (scope) check = check.include(scope);
  const { violations } = await check.analyze();
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.help}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, `serious accessibility violations on ${page.url()}`).toEqual([]);
}

export { expect };

/**
 * Waits until the page's WASM has taken over. Sign-in, set-up and invitation forms work
 * before that too, by posting the form and loading a new page; a test of what they do
 * once interactive (messages in place, nothing typed lost) waits for this first.
 */
export async function hydrated(page: Page) {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}
