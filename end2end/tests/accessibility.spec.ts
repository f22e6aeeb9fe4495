import { type Locator, type Page } from '@playwright/test';
import { expect, expectAccessible, hydrated, test } from './fixtures';
import { createGroup, openGroup, openGroups } from './groups';
import { invite, openUsers, rowAction } from './members';
import { signedInPages } from './pages';
import { admin, signIn } from './people';

/**
 * axe-core's WCAG 2.1 AA rules on every page and every kind of dialog, as the admin sees
 * them (each test's last page is checked too, by the fixture). Signed-out pages first.
 */

test('the signed-out pages pass the accessibility check', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await expectAccessible(page);
  // A failed sign-in shows its alert, which must be reachable too.
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expectAccessible(page);
  await page.goto('/invitations/not-a-real-token-at-all');
  await expectAccessible(page);
  await page.goto('/no-such-page/at/all');
  await expectAccessible(page);
});


test('every page of a signed-in admin passes the accessibility check', async ({ page }) => {
  // Sixteen pages, each checked whole, after the rest of the suite has filled them.
  test.setTimeout(120_000);
  await signIn(page);
  for (const path of signedInPages) {
    await page.goto(path);
    await expect(page.getByRole('main')).toBeVisible();
    // Hydrated and loaded: nothing says "Loading…" any more.
    await expect(page.getByText('Loading…')).toHaveCount(0);
    await expectAccessible(page);
  }
});

/** Opens a dialog with `open`, checks it, and closes it with Escape. */
async function checkDialog(page: Page, name: string, open: () => Promise<void>): Promise<Locator> {
  await open();
  const dialog = page.getByRole('dialog', { name, exact: true });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'dialog[open]');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  return dialog;
}

test('every kind of dialog passes the accessibility check', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Annie Easley', email: 'annie.a11y@techcorp.example' });
  await checkDialog(page, 'Add users', () => page.getByRole('button', { name: 'Add users' }).click());
  await page.getByRole('button', { name: 'Add users' }).click();
  await page.getByRole('dialog', { name: 'Add users' }).getByRole('tab', { name: 'Upload CSV file' }).click();
  await expectAccessible(page, 'dialog[open]');
  await page.keyboard.press('Escape');
  for (const [action, dialog] of [
    ['Edit user details', 'Edit user details'],
    ['Copy link', 'Invitation link'],
    ['Remove from workspace', 'Remove from workspace'],
  ]) {
    await checkDialog(page, dialog, () => rowAction(page, 'annie.a11y@techcorp.example', action));
  }

  await openGroups(page);
  await checkDialog(page, 'Create new group', () => page.getByRole('button', { name: 'Create new group' }).click());
  await createGroup(page, 'Accessibility reviewers');
  await openGroup(page, 'Accessibility reviewers');
  for (const [action, dialog] of [
    ['Rename', 'Rename group'],
    ['Duplicate', 'Duplicate group'],
    ['Delete', 'Delete group'],
  ]) {
    await checkDialog(page, dialog, async () => {
      await page.getByRole('button', { name: 'More actions for group Accessibility reviewers' }).click();
      await page.getByRole('button', { name: action, exact: true }).click();
    });
  }
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await checkDialog(page, 'Add permission', () => page.getByRole('button', { name: 'Add permission' }).click());

  await page.goto(`/${admin.slug}`);
  for (const name of ['Create app', 'Create folder']) {
    await checkDialog(page, name, () => page.getByRole('button', { name }).click());
  }
  await page.goto(`/${admin.slug}/settings/constants`);
  await checkDialog(page, 'Create constant', () => page.getByRole('button', { name: 'Create constant' }).click());
  await page.goto(`/${admin.slug}/settings/data-sources`);
  await checkDialog(page, 'Create data source', () => page.getByRole('button', { name: 'Create data source' }).click());
  await page.goto('/settings/workspaces');
  await checkDialog(page, 'Create workspace', () =>
    page.getByRole('main').getByRole('button', { name: 'Create workspace' }).click(),
  );
});
