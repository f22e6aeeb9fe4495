import { type Page } from '@playwright/test';
import { expect } from './fixtures';
import { admin } from './people';

/** Workspace settings › Groups, as the admin works it. */
export const groupsPage = `/${admin.slug}/settings/groups`;

export async function openGroups(page: Page) {
  await page.goto(groupsPage);
  await expect(page.getByRole('button', { name: 'Create new group' })).toBeEnabled();
}

export async function openGroup(page: Page, name: string) {
  await openGroups(page);
  await page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: new RegExp(`^${name} \\(`) }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`^${name} \\(\\d+\\)$`) })).toBeVisible();
}

/** Creates a custom group on the open Groups page, which then shows it. */
export async function createGroup(page: Page, name: string) {
  await page.getByRole('button', { name: 'Create new group' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create new group' });
  await dialog.getByLabel('Group name').fill(name);
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { name: `${name} (0)` })).toBeVisible();
}
