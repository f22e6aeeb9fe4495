import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { admin, fillSignIn, signIn, signOut } from './people';

async function openCreateWorkspace(page: Page) {
  await page.getByRole('button', { name: 'Create workspace' }).click();
  return page.getByRole('dialog', { name: 'Create workspace' });
}

test('a super admin creates a workspace and switches between workspaces', async ({ page }) => {
  await signIn(page);
  const dialog = await openCreateWorkspace(page);
  await dialog.getByLabel('Workspace name').fill('Support Desk');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page).toHaveURL(/\/support-desk$/);
  await expect(page.getByRole('heading', { name: 'Support Desk' })).toBeVisible();
  const switcher = page.getByLabel('Workspace', { exact: true });
  await expect(switcher).toHaveValue('support-desk');

  await expect(switcher).toBeEnabled();
  await switcher.selectOption({ label: admin.workspace });
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await expect(page.getByRole('heading', { name: admin.workspace })).toBeVisible();

  await switcher.selectOption({ label: 'Support Desk' });
  await expect(page).toHaveURL(/\/support-desk$/);
  await expect(page.getByRole('heading', { name: 'Support Desk' })).toBeVisible();

  // The workspace switched to last is where the next sign-in lands.
  await signOut(page);
  await fillSignIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/support-desk$/);

  await switcher.selectOption({ label: admin.workspace });
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
});

test('creating a workspace without a name says so and creates nothing', async ({ page }) => {
  await signIn(page);
  const dialog = await openCreateWorkspace(page);
  await dialog.getByLabel('Workspace name').fill('   ');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Enter a workspace name.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Keyboard users land in the dialog, and Escape takes them back where they were.
  const opener = page.getByRole('button', { name: 'Create workspace' });
  await opener.click();
  await expect(dialog.getByLabel('Workspace name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  const options = await page.getByLabel('Workspace', { exact: true }).locator('option').allTextContents();
  expect(options).not.toContain('   ');
});

test('a workspace the user does not belong to is not shown', async ({ page }) => {
  await signIn(page);
  await page.goto('/someone-elses-workspace');
  await expect(page.getByRole('heading', { name: "This page can't be shown" })).toBeVisible();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    "This workspace doesn't exist, or you are not an active member of it.",
  );
});

test('the account menu leads to the profile', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: `Account menu for ${admin.fullName}` }).click();
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByText(admin.email, { exact: true }).last()).toBeVisible();
});

test('instance settings list every workspace for a super admin', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { name: 'All users' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workspaces' }).click();
  await expect(page).toHaveURL(/\/settings\/workspaces$/);
  const table = page.getByRole('table', { name: 'Workspaces' });
  await expect(table).toBeVisible();
  await expect(table.getByRole('row', { name: new RegExp(`^${admin.workspace} /${admin.slug} Active \\d+ `) })).toBeVisible();
});
