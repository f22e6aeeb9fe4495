import { type Page } from '@playwright/test';
import { expect, hydrated } from './fixtures';

/** The account that sets the instance up in first-run.spec.ts. */
export const admin = {
  fullName: 'Ada Lovelace',
  email: 'ada@techcorp.example',
  password: 'analytical engine',
  workspace: 'TechCorp',
  slug: 'techcorp',
};

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, email = admin.email, password = admin.password) {
  await page.goto('/sign-in');
  await fillSignIn(page, email, password);
  await expect(page).not.toHaveURL(/\/sign-in/);
}

export async function fillSignIn(page: Page, email: string, password: string) {
  const submit = page.getByRole('button', { name: 'Sign in' });
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await submit.click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
}
