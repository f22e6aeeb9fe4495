import { type Browser, type Locator, type Page } from '@playwright/test';
import { expect, hydrated } from './fixtures';
import { admin } from './people';

/** Workspace settings › Users, as the admin works it. */
export const usersPage = `/${admin.slug}/settings/users`;

export async function openUsers(page: Page) {
  await page.goto(usersPage);
  await expect(page.getByRole('button', { name: 'Add users' })).toBeEnabled();
}

export type Invitee = { name: string; email: string; role?: string; metadata?: [string, string][] };

export async function invite(page: Page, invitee: Invitee) {
  await page.getByRole('button', { name: 'Add users' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add users' });
  await expect(dialog.getByRole('tab', { name: 'Invite with email' })).toHaveAttribute('aria-selected', 'true');
  await dialog.getByLabel('Full name').fill(invitee.name);
  await dialog.getByLabel('Email address').fill(invitee.email);
  await expect(dialog.getByLabel('User role')).toHaveValue('end-user');
  if (invitee.role) {
    await dialog.getByLabel('User role').selectOption({ label: invitee.role });
  }
  for (const [index, [key, value]] of (invitee.metadata ?? []).entries()) {
    await dialog.getByRole('button', { name: 'Add metadata' }).click();
    await dialog.getByLabel('Key', { exact: true }).nth(index).fill(key);
    await dialog.getByLabel('Value', { exact: true }).nth(index).fill(value);
  }
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').first()).toContainText(invitee.email);
}

export function row(page: Page, email: string): Locator {
  return page.getByRole('row').filter({ hasText: email });
}

export async function rowAction(page: Page, email: string, action: string) {
  await page.getByRole('button', { name: `More actions for ${email}` }).click();
  await page.getByRole('button', { name: action, exact: true }).click();
}

export async function copyLink(page: Page, email: string): Promise<string> {
  await rowAction(page, email, 'Copy link');
  const dialog = page.getByRole('dialog', { name: 'Invitation link' });
  const link = await dialog.getByLabel('Invitation link').inputValue();
  expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  return link;
}

/** Opens an invitation link in a browser of its own, as the invited person would. */
export async function asInvitee(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

export async function joinWith(page: Page, link: string, name: string, password: string) {
  await page.goto(link);
  const join = page.getByRole('button', { name: 'Join workspace' });
  await hydrated(page);
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Password').fill(password);
  await join.click();
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await expect(page.getByRole('heading', { name: admin.workspace })).toBeVisible();
}

