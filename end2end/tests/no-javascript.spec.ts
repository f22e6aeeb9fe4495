import { expect, test } from './fixtures';

/**
 * With JavaScript turned off, on an instance of its own (scripts/e2e.sh starts a second
 * server): set-up and sign-in still work, their forms posting to the server. Pages
 * inside a workspace, and the invitation page, stream their content for the page's
 * script to put in place, so without it they show their frame only (issue 19, part 1).
 */

const owner = {
  fullName: 'Hedy Lamarr',
  email: 'hedy@wavelength.example',
  password: 'frequency hopping',
  workspace: 'Wavelength',
  slug: 'wavelength',
};

test('without JavaScript a person sets up Gatehouse and signs in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Full name').fill(owner.fullName);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Workspace name').fill(owner.workspace);
  await page.getByRole('button', { name: 'Set up Gatehouse' }).click();
  // The server sends the form back with its error: a new page, so the fields start over.
  await expect(page.getByRole('alert')).toHaveText('A password must be at least 8 characters long.');
  await expect(page).toHaveURL(/\/setup\?/);

  await page.getByLabel('Full name').fill(owner.fullName);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByLabel('Workspace name').fill(owner.workspace);
  await page.getByRole('button', { name: 'Set up Gatehouse' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}$`));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();

  // Signed out, a page leads to sign-in and, once signed in, back to itself.
  await page.context().clearCookies();
  await page.goto(`/${owner.slug}/settings/users`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or password is incorrect.');
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}/settings/users$`));
  await expect(nav.getByRole('link', { name: 'Users', exact: true })).toBeVisible();
});
