import { expect, hydrated, test } from './fixtures';
import { createGroup, openGroups } from './groups';
import { usersPage } from './members';
import { signedInPages } from './pages';
import { admin, fillSignIn, signIn } from './people';

/**
 * Every signed-in page takes over the HTML the server sent with its data in it. A
 * mismatch between the two once failed on a different page on each run, so each page is
 * loaded afresh several times; it must become interactive, and the fixture fails the
 * test on any error the page throws (a mismatch aborts the WASM).
 */
test('every page hydrates the page the server rendered', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  // A custom group of its own, so that the Group filters (Users, Access matrix) arrive
  // with a generated option after their fixed "All groups".
  await openGroups(page);
  await createGroup(page, 'Hydration checkers');
  for (let round = 1; round <= 3; round++) {
    for (const path of signedInPages) {
      await page.goto(path);
      await hydrated(page);
    }
  }
});

/**
 * The bundle is split into areas of pages (app/src/routes.rs): a page fetches the code of
 * its own area and not of the others, and another area's when the person first goes
 * there.
 */
test('a page fetches its own area’s code, and another area’s when it is opened', async ({ page }) => {
  const modules: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) modules.push(path);
  });
  const fetched = (area: string) => modules.some((module) => module.includes(`/pkg/split_${area}_`));

  await page.goto('/sign-in');
  await hydrated(page);
  expect(fetched('signed_out')).toBe(true);
  expect(fetched('people')).toBe(false);
  expect(fetched('groups')).toBe(false);

  await fillSignIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await hydrated(page);
  expect(fetched('people')).toBe(false);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  expect(fetched('people')).toBe(true);
  expect(fetched('groups')).toBe(false);
});

/**
 * While a page waits for its code, its controls are disabled: text typed into a field
 * then would be replaced when the page is taken over.
 */
test('a page’s controls stay disabled until the page is interactive', async ({ page }) => {
  await signIn(page);
  let release = () => {};
  const codeHeld = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\/pkg\/split_people_[^/]*\.wasm$/, async (route) => {
    await codeHeld;
    await route.continue();
  });
  await page.goto(usersPage);
  const search = page.getByLabel('Search by name or email');
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await expect(search).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Add users' })).toBeDisabled();
  release();
  await hydrated(page);
  await expect(search).toBeEnabled();
  await search.fill('no such person');
  await expect(page.getByText('0 users', { exact: true })).toBeVisible();
});
