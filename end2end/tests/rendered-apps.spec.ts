import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction } from './members';
import { admin, signIn } from './people';

/**
 * An app reads the viewer's own metadata through globals.currentUser.metadata: the admin
 * changes and removes the value, and the app follows. The steps build on each other.
 */
test.describe.configure({ mode: 'serial' });

const ida = { name: 'Ida Rhodes', email: 'ida@techcorp.example', password: 'numerical analysis' };
const body = 'Dept: {{globals.currentUser.metadata.department}}';

test("an app shows each viewer their own metadata, as the admin changes it", async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: ida.name, email: ida.email, metadata: [['department', 'Engineering']] });
  const link = await copyLink(page, ida.email);

  // The admin writes the app; the editor previews it with the admin's own globals.
  await page.goto(`/${admin.slug}`);
  await page.getByRole('button', { name: 'Create app' }).click();
  const appDialog = page.getByRole('dialog', { name: 'Create app' });
  await appDialog.getByLabel('Name').fill('Department board');
  await appDialog.getByRole('button', { name: 'Create app' }).click();
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}/apps/\\d+/edit$`));
  const appUrl = page.url().replace(/\/edit$/, '');
  await page.getByLabel('Body').fill(`${body} <b>{{globals.currentUser.email}}</b>`);
  await expect(page.getByLabel('Preview of the app')).toHaveText(`Dept: <b>${admin.email}</b>`);
  await expect(page.getByLabel('globals')).toContainText(`"email": "${admin.email}"`);
  await page.getByLabel('Body').fill(body);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The app has been saved.');
  // Viewers see it once it is released.
  await page.getByRole('button', { name: 'Release' }).click();
  await page.getByRole('dialog', { name: 'Release version 1' }).getByRole('button', { name: 'Release' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Version 1 has been released. Viewers see it now.');

  const viewer = await asInvitee(browser);
  await joinWith(viewer.page, link, ida.name, ida.password);
  await viewer.page.goto(appUrl);
  await expect(viewer.page.getByLabel('Rendered app')).toHaveText('Dept: Engineering');
  await expect(viewer.page.getByLabel('Body', { exact: true })).toHaveCount(0);
  await expect(viewer.page.getByRole('region', { name: 'Inspector' })).toHaveCount(0);

  await openUsers(page);
  await rowAction(page, ida.email, 'Edit user details');
  const dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await dialog.getByLabel('Value', { exact: true }).first().fill('Research');
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been updated.');
  await viewer.page.reload();
  await expect(viewer.page.getByLabel('Rendered app')).toHaveText('Dept: Research');

  await rowAction(page, ida.email, 'Edit user details');
  await dialog.getByRole('button', { name: 'Remove metadata department' }).click();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(row(page, ida.email).getByLabel('1 key, values hidden')).toHaveCount(0);
  await viewer.page.reload();
  await expect(viewer.page.getByLabel('Rendered app')).toHaveText('Dept:');

  // The admin, in another group, sees their own value and Ida never sees it.
  await rowAction(page, admin.email, 'Edit user details');
  await dialog.getByRole('button', { name: 'Add metadata' }).click();
  await dialog.getByLabel('Key', { exact: true }).first().fill('department');
  await dialog.getByLabel('Value', { exact: true }).first().fill('Management');
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(row(page, admin.email).getByLabel('1 key, values hidden')).toBeVisible();
  await page.goto(appUrl);
  await expect(page.getByLabel('Rendered app')).toHaveText('Dept: Management');
  await page.goto(`${appUrl}/edit`);
  await expect(page.getByLabel('Preview of the app')).toHaveText('Dept: Management');
  await viewer.page.reload();
  await expect(viewer.page.getByLabel('Rendered app')).toHaveText('Dept:');
  await viewer.context.close();
});

test('an app hidden from the dashboard is missing there but opens by its address', async ({ page, browser }) => {
  await signIn(page);
  const created = await page.request.post('/api/apps/create', { form: { slug: admin.slug, name: 'Payroll' } });
  expect(created.ok(), await created.text()).toBeTruthy();
  const payroll = String(await created.json());
  const released = await page.request.post('/api/apps/release', { form: { slug: admin.slug, app_id: payroll, notes: '' } });
  expect(released.ok(), await released.text()).toBeTruthy();
  const payrollUrl = `/${admin.slug}/apps/${payroll}`;
  const groups = `/${admin.slug}/settings/groups`;
  const openGroup = async (name: string) => {
    await page.goto(groups);
    await page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: new RegExp(`^${name} \\(`) }).click();
    await expect(page.getByRole('heading', { name: new RegExp(`^${name} \\(\\d+\\)$`) })).toBeVisible();
  };

  // While End-users have no view of every app, Ida's only view of Payroll hides it.
  await openGroup('End-user');
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await page.getByRole('button', { name: 'Delete permission Apps' }).click();
  await page.getByRole('dialog', { name: 'Delete permission' }).getByRole('button', { name: 'Delete permission' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Permission deleted.');

  await page.goto(groups);
  await page.getByRole('button', { name: 'Create new group' }).click();
  const create = page.getByRole('dialog', { name: 'Create new group' });
  await create.getByLabel('Group name').fill('Auditors');
  await create.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { name: 'Auditors (0)' })).toBeVisible();
  await page.getByLabel('Search users to add').fill('ida');
  await page.getByLabel(new RegExp(ida.email)).check();
  await page.getByRole('button', { name: 'Add users' }).click();
  await expect(page.getByRole('heading', { name: 'Auditors (1)' })).toBeVisible();
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await page.getByRole('button', { name: 'Add permission' }).click();
  const rule = page.getByRole('dialog', { name: 'Add permission' });
  await rule.getByLabel('Permission name').fill('Payroll, unlisted');
  await rule.getByRole('radio', { name: 'View' }).check();
  await rule.getByLabel('Hide from dashboard').check();
  await rule.getByRole('radio', { name: 'Custom' }).check();
  await rule.getByRole('checkbox', { name: 'Payroll' }).check();
  await rule.getByRole('button', { name: 'Add permission' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Permission created.');

  const viewer = await asInvitee(browser);
  await signIn(viewer.page, ida.email, ida.password);
  await viewer.page.goto(`/${admin.slug}`);
  await expect(viewer.page.getByText('There are no apps', { exact: false })).toBeVisible();
  await expect(viewer.page.getByRole('link', { name: 'Payroll', exact: true })).toHaveCount(0);
  await viewer.page.goto(payrollUrl);
  await expect(viewer.page.getByRole('heading', { name: 'Payroll', level: 1 })).toBeVisible();
  await viewer.context.close();

  // End-users get their view of every app back.
  await openGroup('End-user');
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await page.getByRole('button', { name: 'Add permission' }).click();
  await rule.getByLabel('Permission name').fill('Apps');
  await rule.getByRole('button', { name: 'Add permission' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Permission created.');
});
