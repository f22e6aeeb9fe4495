import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { asInvitee, copyLink, joinWith, openUsers, row, rowAction } from './members';
import { createGroup, openGroup, openGroups } from './groups';
import { admin, signIn } from './people';

/**
 * What a ToolJet admin expects of Users and Groups beyond the basics: groups chosen when
 * inviting and editing, a Groups column and filter, invitations by email alone, a Copy
 * link button beside Invited, metadata keys renamed in place, search by any word of a
 * name, role groups that take members, and super admins in every workspace. The tests
 * run in order and build on each other.
 */
test.describe.configure({ mode: 'serial' });

const lise = { name: 'Lise Meitner', email: 'lise@techcorp.example', password: 'nuclear fission' };
const rosalind = { name: 'Rosalind Franklin', email: 'rosalind@techcorp.example' };
const mae = { email: 'mae.jemison@techcorp.example', derivedName: 'Mae Jemison' };
const wu = { name: 'Chien-Shiung Wu', email: 'cswu@techcorp.example' };

async function openAddUsers(page: Page) {
  await openUsers(page);
  await page.getByRole('button', { name: 'Add users' }).click();
  return page.getByRole('dialog', { name: 'Add users' });
}

test('groups chosen when inviting, shown and filtered in the table, with consent for builder-level ones', async ({ page }) => {
  await signIn(page);
  await openGroups(page);
  for (const name of ['Optics', 'Spectroscopy', 'Isotopes']) {
    await createGroup(page, name);
  }
  // Isotopes lets its members create apps: a builder-level permission.
  await page.getByRole('tab', { name: 'Permissions', exact: true }).click();
  await page.getByRole('group', { name: 'Apps' }).getByRole('checkbox', { name: 'Create' }).check();
  await expect(page.getByRole('status').first()).toHaveText('Group permissions updated.');

  let dialog = await openAddUsers(page);
  await dialog.getByLabel('Full name').fill(rosalind.name);
  await dialog.getByLabel('Email address').fill(rosalind.email);
  const groups = dialog.getByRole('group', { name: 'Groups' });
  await groups.getByLabel('Search groups').fill('spec');
  await expect(groups.getByRole('checkbox', { name: 'Optics' })).toBeHidden();
  await groups.getByRole('checkbox', { name: 'Spectroscopy' }).check();
  await groups.getByLabel('Search groups').fill('');
  await groups.getByRole('checkbox', { name: 'Optics' }).check();
  await groups.getByRole('checkbox', { name: 'Isotopes' }).check();
  await expect(groups).toContainText('3 groups chosen.');
  await dialog.getByRole('button', { name: 'Invite users' }).click();

  // Isotopes would give an End-user a builder-level permission: the same consent step as
  // on the Groups page, and Cancel keeps everything typed.
  const consent = page.getByRole('dialog', { name: 'Make these users Builders?' });
  await expect(consent.getByRole('list', { name: 'Users who become Builders' })).toHaveText(rosalind.email);
  await consent.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog.getByLabel('Email address')).toHaveValue(rosalind.email);
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await consent.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog).toBeHidden();
  const rosalindRow = row(page, rosalind.email);
  await expect(rosalindRow).toContainText('Builder');

  // The Groups column: two names and a count, the whole list on hover.
  const tooltip = rosalindRow.getByText('Isotopes, Optics, Spectroscopy').and(page.getByRole('tooltip', { includeHidden: true }));
  await expect(tooltip).toBeHidden();
  await rosalindRow.getByText('Isotopes, Optics +1').hover();
  await expect(tooltip).toBeVisible();

  // Filter by group.
  await page.getByLabel('Group', { exact: true }).selectOption({ label: 'Spectroscopy' });
  await expect(page.getByText('1 user', { exact: true })).toBeVisible();
  await expect(row(page, rosalind.email)).toBeVisible();
  await expect(row(page, admin.email)).toHaveCount(0);
  await page.getByLabel('Group', { exact: true }).selectOption({ label: 'All groups' });
  await expect(row(page, admin.email)).toBeVisible();

  // Edit user details: leave two groups, keep one.
  await rowAction(page, rosalind.email, 'Edit user details');
  dialog = page.getByRole('dialog', { name: 'Edit user details' });
  const editGroups = dialog.getByRole('group', { name: 'Groups' });
  await expect(editGroups.getByRole('checkbox', { name: 'Optics' })).toBeChecked();
  await editGroups.getByRole('checkbox', { name: 'Optics' }).uncheck();
  await editGroups.getByRole('checkbox', { name: 'Isotopes' }).uncheck();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(dialog).toBeHidden();
  await expect(rosalindRow.getByRole('cell', { name: 'Spectroscopy', exact: true })).toBeVisible();
});

test('an invitation by email alone takes its name from the email, and Copy link sits beside Invited', async ({ page, browser }) => {
  await signIn(page);
  const dialog = await openAddUsers(page);
  await dialog.getByLabel('Email address').fill(mae.email);
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await expect(dialog).toBeHidden();
  const maeRow = row(page, mae.email);
  await expect(maeRow).toContainText(mae.derivedName);
  await expect(maeRow).toContainText('Invited');

  await maeRow.getByRole('button', { name: `Copy link for ${mae.email}` }).click();
  const shown = page.getByRole('dialog', { name: 'Invitation link' });
  const link = await shown.getByLabel('Invitation link').inputValue();
  expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Done' }).click();

  const invitee = await asInvitee(browser);
  await invitee.page.goto(link);
  await expect(invitee.page.getByLabel('Full name')).toHaveValue(mae.derivedName);
  await joinWith(invitee.page, link, 'Mae Carol Jemison', 'endeavour flight');
  await invitee.context.close();
  await openUsers(page);
  await expect(row(page, mae.email)).toContainText('Mae Carol Jemison');
});

test('a metadata key is renamed in place and keeps its hidden value', async ({ page, browser }) => {
  await signIn(page);
  let dialog = await openAddUsers(page);
  await dialog.getByLabel('Full name').fill(lise.name);
  await dialog.getByLabel('Email address').fill(lise.email);
  await dialog.getByRole('button', { name: 'Add metadata' }).click();
  await dialog.getByLabel('Key', { exact: true }).fill('dept');
  await dialog.getByLabel('Value', { exact: true }).fill('Physics');
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await expect(dialog).toBeHidden();
  const link = await copyLink(page, lise.email);
  const invitee = await asInvitee(browser);
  await joinWith(invitee.page, link, lise.name, lise.password);

  await rowAction(page, lise.email, 'Edit user details');
  dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await expect(dialog.getByLabel('Key', { exact: true })).toHaveValue('dept');
  await dialog.getByLabel('Key', { exact: true }).fill('department');
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(dialog).toBeHidden();
  await rowAction(page, lise.email, 'Edit user details');
  await expect(dialog.getByLabel('Key', { exact: true })).toHaveValue('department');
  await expect(dialog.getByLabel('Value', { exact: true })).toHaveValue('');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await invitee.context.close();
});

test('a search finds any word of a name, in Users, All users and the group member picker', async ({ page }) => {
  await signIn(page);
  const dialog = await openAddUsers(page);
  await dialog.getByLabel('Full name').fill(wu.name);
  await dialog.getByLabel('Email address').fill(wu.email);
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await expect(dialog).toBeHidden();

  await page.getByLabel('Search by name or email').fill('wu');
  await expect(page.getByText('1 user', { exact: true })).toBeVisible();
  await expect(row(page, wu.email)).toBeVisible();
  await page.getByLabel('Search by name or email').fill('meitner');
  await expect(row(page, lise.email)).toBeVisible();
  await expect(row(page, wu.email)).toHaveCount(0);

  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'All users' })).toBeVisible();
  await page.getByLabel('Search by name or email').fill('wu');
  await expect(page.getByRole('table', { name: 'Users of this instance' }).getByRole('row')).toHaveCount(2);
  await expect(row(page, wu.email)).toBeVisible();

  await openGroup(page, 'Optics');
  await page.getByLabel('Search users to add').fill('franklin');
  await expect(page.getByLabel(new RegExp(rosalind.email))).toBeVisible();
  await expect(page.getByLabel(new RegExp(wu.email))).toHaveCount(0);
});

test('adding someone to a role group changes their role after a confirmation', async ({ page }) => {
  await signIn(page);
  await openGroup(page, 'Builder');
  await expect(page.getByText('adding someone here changes their role')).toBeVisible();
  await page.getByLabel('Search users to add').fill('meitner');
  await page.getByLabel(new RegExp(lise.email)).check();
  await page.getByRole('button', { name: 'Add users' }).click();
  const confirm = page.getByRole('dialog', { name: 'Change user roles' });
  await expect(confirm.getByRole('list', { name: 'Role changes' })).toContainText(`${lise.name} will become a Builder`);
  await confirm.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Users added to the group.');
  await expect(page.getByRole('row').filter({ hasText: lise.email })).toContainText('Builder');

  await openUsers(page);
  await expect(row(page, lise.email)).toContainText('Builder');
});

test('a super admin opens a workspace they are not a member of and manages it', async ({ page, browser }) => {
  // Lise, made a super admin for the purpose, creates a workspace of her own; Ada is no
  // member of it.
  await signIn(page);
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'All users' })).toBeVisible();
  await page.getByLabel('Search by name or email').fill(lise.email);
  await rowAction(page, lise.email, 'Edit user details');
  const details = page.getByRole('dialog', { name: 'Edit user details' });
  await details.getByLabel('Super admin').check();
  await details.getByRole('button', { name: 'Update' }).click();
  await expect(details).toBeHidden();

  const liseBrowser = await asInvitee(browser);
  await signIn(liseBrowser.page, lise.email, lise.password);
  await liseBrowser.page.getByRole('button', { name: 'Create workspace' }).click();
  const create = liseBrowser.page.getByRole('dialog', { name: 'Create workspace' });
  await create.getByLabel('Workspace name').fill('Fission Lab');
  await create.getByRole('button', { name: 'Create workspace' }).click();
  await expect(liseBrowser.page).toHaveURL(/\/fission-lab$/);
  await liseBrowser.context.close();

  await page.goto('/settings/workspaces');
  await page.getByRole('link', { name: 'Fission Lab' }).click();
  await expect(page).toHaveURL(/\/fission-lab\/settings\/users$/);
  await expect(page.getByRole('button', { name: 'Add users' })).toBeEnabled();
  await expect(row(page, lise.email)).toBeVisible();
  await expect(row(page, admin.email)).toHaveCount(0);
  await expect(page.getByText('1 user', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Add users' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add users' });
  await dialog.getByLabel('Email address').fill('otto.hahn@fission.example');
  await dialog.getByRole('button', { name: 'Invite users' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, 'otto.hahn@fission.example')).toContainText('Otto Hahn');
  await expect(row(page, admin.email)).toHaveCount(0);
});
