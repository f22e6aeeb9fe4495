import { hydrated, test } from './fixtures';
import { signedInPages } from './pages';
import { signIn } from './people';

/**
 * Every signed-in page takes over the HTML the server sent with its data in it. A
 * mismatch between the two once failed on a different page on each run, so each page is
 * loaded afresh several times; it must become interactive, and the fixture fails the
 * test on any error the page throws (a mismatch aborts the WASM).
 */
test('every page hydrates the page the server rendered', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  for (let round = 1; round <= 3; round++) {
    for (const path of signedInPages) {
      await page.goto(path);
      await hydrated(page);
    }
  }
});
