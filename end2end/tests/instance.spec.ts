import { type Page } from '@playwright/test';
import { expect, hydrated, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction } from './members';
import { admin, fillSignIn, signIn } from './people';

/**
 * Settings, for super admins: All users with its counters, archiving from the whole
 * instance, super admins, and workspaces. Other files invite people too, so counts are
 * checked as changes from what the page showed before.
 */
test.describe.configure({ mode: 'serial' });

const vic = { name: 'Vic Instance', email: 'vic@techcorp.example', password: 'instance wide pass' };

async function openAllUsers(page: Page) {
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'All users' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Total users' })).toBeVisible();
}

async function counts(page: Page) {
  await openAllUsers(page);
  const read = async (name: string) => Number(await page.getByRole('status', { name }).textContent());
  return { total: await read('Total users'), builders: await read('Builders') };
}

async function expectCounts(page: Page, expected: { total: number; builders: number }) {
  await openAllUsers(page);
  await expect(page.getByRole('status', { name: 'Total users' })).toHaveText(String(expected.total));
  await expect(page.getByRole('status', { name: 'Builders' })).toHaveText(String(expected.builders));
}

/** The confirmation a page shows after an action, beside the counters' outputs. */
async function expectNotice(page: Page, text: string) {
  await expect(page.getByRole('status').filter({ hasText: text })).toHaveText(text);
}

/** Finds a user in All users by searching for their email. */
async function findUser(page: Page, email: string) {
  await openAllUsers(page);
  await page.getByLabel('Search by name or email').fill(email);
  await expect(page.getByRole('table', { name: 'Users of this instance' }).getByRole('row')).toHaveCount(2);
  return row(page, email);
}

async function editSuperAdmin(page: Page, email: string, superAdmin: boolean) {
  await findUser(page, email);
  await rowAction(page, email, 'Edit user details');
  const dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await expect(dialog.getByLabel('Full name')).toHaveValue(vic.name);
  await dialog.getByLabel('Super admin').setChecked(superAdmin);
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(dialog).toBeHidden();
  await expectNotice(page, "The user's details have been updated.");
  await expect(row(page, email)).toContainText(superAdmin ? 'Super admin' : 'Workspace');
}

test('counts change as users are invited, promoted and archived', async ({ page }) => {
  await signIn(page);
  const before = await counts(page);

  await openUsers(page);
  await invite(page, { name: 'Ivy Counted', email: 'ivy@techcorp.example' });
  await expectCounts(page, { total: before.total + 1, builders: before.builders });

  await openUsers(page);
  await rowAction(page, 'ivy@techcorp.example', 'Edit user details');
  const edit = page.getByRole('dialog', { name: 'Edit user details' });
  await edit.getByLabel('User role').selectOption({ label: 'Builder' });
  await edit.getByRole('button', { name: 'Update' }).click();
  await page.getByRole('dialog', { name: 'Edit user role' }).getByRole('button', { name: 'Continue' }).click();
  await expect(row(page, 'ivy@techcorp.example')).toContainText('Builder');
  await expectCounts(page, { total: before.total + 1, builders: before.builders + 1 });

  await findUser(page, 'ivy@techcorp.example');
  await rowAction(page, 'ivy@techcorp.example', 'Archive from instance');
  const confirm = page.getByRole('dialog', { name: 'Archive from instance' });
  await expect(confirm).toContainText('Ivy Counted is archived in every workspace');
  await confirm.getByRole('button', { name: 'Archive' }).click();
  await expectNotice(page, 'ivy@techcorp.example has been archived from this instance.');
  await expect(row(page, 'ivy@techcorp.example')).toContainText('Archived');
  await expectCounts(page, before);

  // The status filter shows her among the archived.
  await page.getByLabel('Status').selectOption({ label: 'Archived' });
  await expect(row(page, 'ivy@techcorp.example')).toBeVisible();
  await page.getByLabel('Status').selectOption({ label: 'Active' });
  await expect(row(page, admin.email)).toBeVisible();
  await expect(row(page, 'ivy@techcorp.example')).toHaveCount(0);
});

test('a user archived from the instance cannot sign in until unarchived and invited again', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: vic.name, email: vic.email });
  const link = await copyLink(page, vic.email);
  const person = await asInvitee(browser);
  await joinWith(person.page, link, vic.name, vic.password);

  await findUser(page, vic.email);
  await rowAction(page, vic.email, 'Archive from instance');
  await page.getByRole('dialog', { name: 'Archive from instance' }).getByRole('button', { name: 'Archive' }).click();
  await expect(row(page, vic.email)).toContainText('Archived');

  // Signed out everywhere at once, and refused at the door.
  await person.page.reload();
  await expect(person.page).toHaveURL(/\/sign-in/);
  await fillSignIn(person.page, vic.email, vic.password);
  await expect(person.page.getByRole('alert')).toHaveText(
    'This account has been archived. Contact a super admin to restore access.',
  );

  await rowAction(page, vic.email, 'Unarchive');
  await expectNotice(page, `${vic.email} can sign in again. Each workspace must invite them again.`);
  await expect(row(page, vic.email)).toContainText('Active');
  await rowAction(page, vic.email, 'Workspaces');
  const workspaces = page.getByRole('dialog', { name: `Workspaces of ${vic.email}` });
  await expect(workspaces.getByRole('row', { name: `${admin.workspace} End-user Archived` })).toBeVisible();
  await workspaces.getByRole('button', { name: 'Done' }).click();

  await openUsers(page);
  await rowAction(page, vic.email, 'Unarchive');
  await expect(row(page, vic.email)).toContainText('Invited');
  const again = await copyLink(page, vic.email);
  await signIn(person.page, vic.email, vic.password);
  await person.page.goto(again);
  const accept = person.page.getByRole('button', { name: 'Accept invitation' });
  await hydrated(person.page);
  await accept.click();
  await expect(person.page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await page.reload();
  await expect(row(page, vic.email)).toContainText('Active');
  await person.context.close();
});

test('making a user super admin shows them Settings, and revoking it hides it again', async ({ page, browser }) => {
  await signIn(page);
  const person = await asInvitee(browser);
  await signIn(person.page, vic.email, vic.password);
  const settingsLink = person.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true });
  await expect(person.page.getByRole('link', { name: 'Dashboard' })).toBeVisible();
  await expect(settingsLink).toHaveCount(0);

  await editSuperAdmin(page, vic.email, true);
  await person.page.reload();
  await settingsLink.click();
  await expect(person.page.getByRole('heading', { name: 'All users' })).toBeVisible();
  await expect(person.page.getByRole('status', { name: 'Total users' })).toBeVisible();

  await editSuperAdmin(page, vic.email, false);
  await person.page.reload();
  await expect(person.page.getByRole('main').getByRole('alert')).toHaveText('Only super admins can do that.');
  await expect(settingsLink).toHaveCount(0);
  await person.context.close();
});

test('a super admin resets a password and the new one is shown once', async ({ page, browser }) => {
  await signIn(page);
  await findUser(page, vic.email);
  await rowAction(page, vic.email, 'Reset password');
  const dialog = page.getByRole('dialog', { name: 'Reset password' });
  await dialog.getByLabel('Set a password').check();
  await dialog.getByLabel('Password', { exact: true }).fill('short');
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('A password must be at least 8 characters long.');
  await dialog.getByLabel('Generate a password').check();
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  const shown = page.getByRole('dialog', { name: 'New password' });
  const generated = await shown.getByLabel('Generated password').inputValue();
  expect(generated).toMatch(/^[A-Za-z0-9_-]{22}$/);
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();

  const person = await asInvitee(browser);
  await signIn(person.page, vic.email, generated);
  await expect(person.page).toHaveURL(new RegExp(`/${admin.slug}$`));
  vic.password = generated;
  await person.context.close();
});

test('a super admin creates a workspace, switches to it, renames and archives it', async ({ page }) => {
  await signIn(page);
  await page.goto('/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Workspaces' }).click();
  await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible();
  await page.getByRole('main').getByRole('button', { name: 'Create workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create workspace' });
  await dialog.getByLabel('Workspace name').fill('Field Ops');
  await dialog.getByLabel('Workspace URL (optional)').fill('Field Ops');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog.getByRole('alert')).toContainText('A workspace URL can hold lower-case letters');
  await dialog.getByLabel('Workspace URL (optional)').fill('field-ops');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/field-ops$/);
  await expect(page.getByRole('heading', { name: 'Field Ops' })).toBeVisible();

  const switcher = page.getByLabel('Workspace', { exact: true });
  await expect(switcher).toBeEnabled();
  await switcher.selectOption({ label: admin.workspace });
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await switcher.selectOption({ label: 'Field Ops' });
  await expect(page).toHaveURL(/\/field-ops$/);
  // Back home, so that later sign-ins land where the other tests expect.
  await switcher.selectOption({ label: admin.workspace });
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));

  await page.goto('/settings/workspaces');
  await page.getByRole('button', { name: 'More actions for workspace Field Ops' }).click();
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  const rename = page.getByRole('dialog', { name: 'Rename workspace' });
  await rename.getByLabel('Workspace name').fill('Field Operations');
  await rename.getByRole('button', { name: 'Rename' }).click();
  const table = page.getByRole('table', { name: 'Workspaces' });
  await expect(table.getByRole('row', { name: /^Field Operations \/field-ops Active 1 / })).toBeVisible();

  await page.getByRole('button', { name: 'More actions for workspace Field Operations' }).click();
  await page.getByRole('button', { name: 'Archive workspace' }).click();
  await page.getByRole('dialog', { name: 'Archive workspace' }).getByRole('button', { name: 'Archive' }).click();
  await expect(table.getByRole('row', { name: /^Field Operations \/field-ops Archived 1 / })).toBeVisible();
  await page.goto('/field-ops');
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    "This workspace doesn't exist, or you are not an active member of it.",
  );
  const options = await page.getByLabel('Workspace', { exact: true }).locator('option').allTextContents();
  expect(options).not.toContain('Field Operations');
});
