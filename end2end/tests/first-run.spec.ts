import { expect, hydrated, test } from './fixtures';
import { admin } from './people';

test('an empty instance leads to set-up, which creates the super admin and first workspace', async ({ page }) => {
  await page.goto('/techcorp/settings/users');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Set up Gatehouse' })).toBeVisible();

  const submit = page.getByRole('button', { name: 'Set up Gatehouse' });
  await hydrated(page);
  await page.getByLabel('Full name').fill(admin.fullName);
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Workspace name').fill(admin.workspace);
  await submit.click();

  // Refused with a specific message, and nothing typed is lost.
  await expect(page.getByRole('alert')).toHaveText('A password must be at least 8 characters long.');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByLabel('Full name')).toHaveValue(admin.fullName);
  await expect(page.getByLabel('Workspace name')).toHaveValue(admin.workspace);

  await page.getByLabel('Password').fill(admin.password);
  await submit.click();

  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await expect(page.getByRole('heading', { name: admin.workspace })).toBeVisible();
  await expect(page.getByText('You are Admin in this workspace.')).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const link of ['Dashboard', 'Users', 'Groups', 'Workspace constants', 'Data sources', 'Settings']) {
    await expect(nav.getByRole('link', { name: link, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('button', { name: `Account menu for ${admin.fullName}` })).toBeVisible();
});
