import { expect, test } from './fixtures';
import { admin, fillSignIn, signIn, signOut } from './people';

test('signing out ends the session, and signing in again opens the workspace', async ({ page }) => {
  await signIn(page);
  await expect(page.getByText('You are Admin in this workspace.')).toBeVisible();

  await signOut(page);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  // The old session is gone on the server, not just in this tab.
  await page.goto(`/${admin.slug}`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);

  await page.goto('/sign-in');
  await fillSignIn(page, admin.email, admin.password);
  await expect(page.getByText('You are Admin in this workspace.')).toBeVisible();
});

test('a wrong password gets one generic message and keeps the email', async ({ page }) => {
  await page.goto('/sign-in');
  await fillSignIn(page, admin.email, 'not the password');
  await expect(page.getByRole('alert')).toHaveText('The email address or password is incorrect.');
  await expect(page.getByLabel('Email address')).toHaveValue(admin.email);
  await expect(page).toHaveURL(/\/sign-in$/);

  // An email with no account reads exactly the same.
  await fillSignIn(page, 'nobody@techcorp.example', 'not the password');
  await expect(page.getByRole('alert')).toHaveText('The email address or password is incorrect.');
});

test('a signed-out visitor is sent to sign-in and brought back afterwards', async ({ page }) => {
  await page.goto(`/${admin.slug}/settings/groups`);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftechcorp%2Fsettings%2Fgroups$/);
  await fillSignIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}/settings/groups$`));
  await expect(page.getByRole('heading', { name: 'Groups', exact: true })).toBeVisible();
});

test('set-up is closed once the instance exists', async ({ page }) => {
  await page.goto('/setup');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
