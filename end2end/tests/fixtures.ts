import { expect, test as base } from '@playwright/test';

/**
 * Every test fails if its page throws an uncaught error or the WASM panics: either
 * would leave a person with a page that silently stopped working.
 */
export const test = base.extend<{ failOnPageErrors: void }>({
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('panicked')) {
          errors.push(message.text());
        }
      });
      await use();
      expect(errors, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
