import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers } from './members';
import { admin, signIn } from './people';

/**
 * Apps, folders, workspace constants and data sources: the admin sets some up, a builder
 * edits apps, an end-user only opens them. The tests run in order and build on each other.
 */
test.describe.configure({ mode: 'serial' });

const dashboard = `/${admin.slug}`;
const secret = 'rpt-7c1d9e0f-masked-secret';
const builder = { name: 'Barbara Liskov', email: 'barbara@techcorp.example', password: 'substitution principle' };
const endUser = { name: 'Edsger Dijkstra', email: 'edsger@techcorp.example', password: 'shortest path first' };

async function openDashboard(page: Page) {
  await page.goto(dashboard);
  // The apps load once the page runs in the browser.
  await expect(page.getByRole('heading', { name: 'Finance' }).or(page.getByText('There are no apps'))).toBeVisible();
}

test('an admin files a new app into a new folder and edits it', async ({ page }) => {
  await signIn(page);
  await page.goto(dashboard);
  await page.getByRole('button', { name: 'Create folder' }).click();
  const folderDialog = page.getByRole('dialog', { name: 'Create folder' });
  await folderDialog.getByLabel('Name').fill('Finance');
  await folderDialog.getByRole('button', { name: 'Create folder' }).click();
  await expect(folderDialog).toBeHidden();
  await expect(page.getByRole('status').first()).toHaveText('The folder Finance has been created.');
  await expect(page.getByRole('heading', { name: 'Finance' })).toBeVisible();

  await page.getByRole('button', { name: 'Create app' }).click();
  const appDialog = page.getByRole('dialog', { name: 'Create app' });
  await appDialog.getByLabel('Name').fill('Billing');
  await appDialog.getByLabel('Folder').selectOption({ label: 'Finance' });
  await appDialog.getByRole('button', { name: 'Create app' }).click();

  // The new app opens in its editor.
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}/apps/\\d+/edit$`));
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Folder')).toHaveValue(/\d+/);
  await page.getByLabel('Body').fill('Invoices for {{globals.currentUser.email}}');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The app has been saved.');
  await page.reload();
  await expect(page.getByLabel('Body')).toHaveValue('Invoices for {{globals.currentUser.email}}');
  await page.getByRole('button', { name: 'Release' }).click();
  await page.getByRole('dialog', { name: 'Release version 1' }).getByRole('button', { name: 'Release' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Version 1 has been released. Viewers see it now.');

  // Its page shows it as viewers see it; admins manage who may use it right there.
  await page.getByRole('link', { name: 'View app' }).click();
  await expect(page.getByRole('link', { name: 'Finance' })).toBeVisible();
  await expect(page.getByLabel('Rendered app')).toHaveText(`Invoices for ${admin.email}`);
  await expect(page.getByRole('region', { name: 'Permissions' })).toBeVisible();

  await openDashboard(page);
  const finance = page.getByRole('region', { name: 'Finance' });
  await expect(finance.getByRole('link', { name: 'Billing', exact: true })).toBeVisible();
  await expect(finance.getByRole('link', { name: 'Edit Billing' })).toBeVisible();
});

test('a workspace constant is masked until revealed, and a data source keeps its configuration', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspace constants' }).click();
  await expect(page.getByRole('heading', { name: 'Workspace constants', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Create constant' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create constant' });
  await dialog.getByLabel('Name').fill('api-token');
  await dialog.getByLabel('Value', { exact: true }).fill(secret);
  await dialog.getByRole('button', { name: 'Create constant' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    'A constant name can only hold letters, digits and underscores, and must start with a letter.',
  );
  await dialog.getByLabel('Name').fill('REPORTING_TOKEN');
  await dialog.getByRole('button', { name: 'Create constant' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').first()).toHaveText('The constant REPORTING_TOKEN has been created.');

  const constant = page.getByRole('row').filter({ hasText: 'REPORTING_TOKEN' });
  await expect(constant).toContainText('••••••');
  await expect(constant).not.toContainText(secret);
  expect(await page.content()).not.toContain(secret);
  await constant.getByRole('button', { name: 'Reveal REPORTING_TOKEN' }).click();
  await expect(constant).toContainText(secret);
  await constant.getByRole('button', { name: 'Hide REPORTING_TOKEN' }).click();
  await expect(constant).not.toContainText(secret);
  await expect(constant).toContainText('••••••');

  // Its own page: masked too, and the value can be replaced.
  await constant.getByRole('link', { name: 'REPORTING_TOKEN' }).click();
  await expect(page.getByRole('heading', { name: 'REPORTING_TOKEN', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Edit value' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit REPORTING_TOKEN' });
  await edit.getByLabel('New value').fill('rpt-rotated');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The value has been changed.');
  await page.getByRole('button', { name: 'Reveal REPORTING_TOKEN' }).click();
  await expect(page.getByText('rpt-rotated')).toBeVisible();
  const source = await (await page.request.get(`/${admin.slug}/settings/constants`)).text();
  expect(source).not.toContain('rpt-rotated');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data sources' }).click();
  await page.getByRole('button', { name: 'Create data source' }).click();
  const sourceDialog = page.getByRole('dialog', { name: 'Create data source' });
  await sourceDialog.getByLabel('Name').fill('Warehouse');
  await sourceDialog.getByLabel('Kind').selectOption({ label: 'PostgreSQL' });
  await sourceDialog.getByLabel('Configuration').fill('host=warehouse.internal dbname=sales');
  await sourceDialog.getByRole('button', { name: 'Create data source' }).click();
  await expect(sourceDialog).toBeHidden();
  const warehouse = page.getByRole('row').filter({ hasText: 'Warehouse' });
  await expect(warehouse).toContainText('PostgreSQL');
  await expect(warehouse).not.toContainText('warehouse.internal');
  await warehouse.getByRole('link', { name: 'Warehouse' }).click();
  await expect(page.getByLabel('Configuration')).toHaveValue('host=warehouse.internal dbname=sales');
});

test('a builder sees and edits apps; an end-user opens them without an editor', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: builder.name, email: builder.email, role: 'Builder' });
  await invite(page, { name: endUser.name, email: endUser.email });
  const builderLink = await copyLink(page, builder.email);
  const endUserLink = await copyLink(page, endUser.email);

  const barbara = await asInvitee(browser);
  await joinWith(barbara.page, builderLink, builder.name, builder.password);
  await openDashboard(barbara.page);
  await expect(barbara.page.getByRole('button', { name: 'Create app' })).toBeVisible();
  await expect(barbara.page.getByRole('button', { name: 'Create folder' })).toBeVisible();
  const nav = barbara.page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Workspace constants' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await barbara.page.getByRole('link', { name: 'Edit Billing' }).click();
  await expect(barbara.page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await barbara.page.getByLabel('Body').fill('Overdue invoices');
  await barbara.page.getByRole('button', { name: 'Save' }).click();
  await expect(barbara.page.getByRole('status').first()).toHaveText('The app has been saved.');
  await barbara.page.getByRole('button', { name: 'Release' }).click();
  await barbara.page
    .getByRole('dialog', { name: 'Release version 2' })
    .getByRole('button', { name: 'Release' })
    .click();
  await expect(barbara.page.getByRole('status').first()).toHaveText('Version 2 has been released. Viewers see it now.');
  await barbara.page.getByRole('link', { name: 'View app' }).click();
  await expect(barbara.page.getByLabel('Rendered app')).toHaveText('Overdue invoices');
  await expect(barbara.page.getByRole('region', { name: 'Permissions' })).toHaveCount(0);
  await barbara.context.close();

  const edsger = await asInvitee(browser);
  await joinWith(edsger.page, endUserLink, endUser.name, endUser.password);
  await openDashboard(edsger.page);
  const finance = edsger.page.getByRole('region', { name: 'Finance' });
  await expect(finance.getByRole('link', { name: 'Billing', exact: true })).toBeVisible();
  await expect(finance.getByRole('link', { name: 'Edit Billing' })).toHaveCount(0);
  await expect(edsger.page.getByRole('button', { name: 'Create app' })).toHaveCount(0);
  await expect(edsger.page.getByRole('button', { name: 'Create folder' })).toHaveCount(0);
  await finance.getByRole('link', { name: 'Open Billing' }).click();
  await expect(edsger.page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await expect(edsger.page.getByLabel('Rendered app')).toHaveText('Overdue invoices');
  await expect(edsger.page.getByLabel('Body', { exact: true })).toHaveCount(0);
  await expect(edsger.page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(edsger.page.getByRole('button', { name: 'Delete app' })).toHaveCount(0);
  // The editor's address is refused to a view-only user.
  await edsger.page.goto(`${edsger.page.url()}/edit`);
  await expect(edsger.page.getByRole('alert').filter({ hasText: "You don't have permission to do that." })).toBeVisible();
  await expect(edsger.page.getByLabel('Body', { exact: true })).toHaveCount(0);

  // Constants and data sources are in the navigation, and show only what they may use.
  await edsger.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspace constants' }).click();
  await expect(edsger.page.getByText('There are no workspace constants you can see.')).toBeVisible();
  await expect(edsger.page.getByRole('button', { name: 'Create constant' })).toHaveCount(0);
  await edsger.context.close();
});

test('deleting a folder keeps its apps, without a folder', async ({ page }) => {
  await signIn(page);
  await openDashboard(page);
  await page.getByRole('link', { name: 'Finance', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Finance', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Delete folder' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete folder' });
  await expect(dialog).toContainText('The apps in it stay, without a folder.');
  await dialog.getByRole('button', { name: 'Delete folder' }).click();
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  const unfiled = page.getByRole('region', { name: 'Apps without a folder' });
  await expect(unfiled.getByRole('link', { name: 'Billing', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Finance' })).toHaveCount(0);
});
