import { type BrowserContext, type Page, expect, test as base } from '@playwright/test';

/**
 * Every test fails if a page throws an uncaught error, the WASM panics, or the browser
 * refuses something under the Content-Security-Policy: each would leave a person with a
 * page that silently stopped working. It holds for every page of every browser context
 * the test opens, including the invitees' own.
 */
export const test = base.extend<{ failOnPageErrors: void }>({
  failOnPageErrors: [
    async ({ browser, context, page }, use) => {
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

export { expect };
