import { type Browser, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction } from './members';
import { createGroup, groupsPage, openGroup, openGroups } from './groups';
import { admin, signIn } from './people';

/**
 * The seeds' scenario (User Permission Management): TechCorp invites Alice, Bob and
 * Charlie, creates Engineering, Support and Sales, gives them access to an app, a
 * folder and a workspace constant, checks what each person then sees, makes Alice an
 * admin and removes Charlie. The tests run in order and build on each other.
 */
test.describe.configure({ mode: 'serial' });

const alice = { name: 'Alice Engineer', email: 'alice@techcorp.example', password: 'bug tracker pass' };
const bob = { name: 'Bob Support', email: 'bob@techcorp.example', password: 'ticket queue pass' };
const charlie = { name: 'Charlie Sales', email: 'charlie@techcorp.example' };

async function addToGroup(page: Page, group: string, email: string) {
  await openGroup(page, group);
  await page.getByLabel('Search users to add').fill(email.split('@')[0]);
  await page.getByLabel(new RegExp(email)).check();
  await page.getByRole('button', { name: 'Add users' }).click();
}

/** A signed-in browser of its own for someone other than the admin. */
async function signedInAs(browser: Browser, email: string, password: string) {
  const { context, page } = await asInvitee(browser);
  await signIn(page, email, password);
  return { context, page };
}

async function post(page: Page, endpoint: string, form: Record<string, string>) {
  const reply = await page.request.post(`/api/${endpoint}`, { form });
  expect(reply.ok(), await reply.text()).toBeTruthy();
  return reply.json();
}

/** Opens a resource page's Permissions section and sets one group's access. */
async function grant(page: Page, path: string, group: string, access: string) {
  await page.goto(path);
  const permissions = page.getByRole('region', { name: 'Permissions' });
  const select = permissions.getByLabel(`Access for ${group}`);
  await expect(select).toBeVisible();
  await select.selectOption({ label: access });
}

let bugTracker = 0;
let ticketsFolder = 0;
let apiKey = 0;

test('invite three users, create the department groups and assign members', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  for (const person of [alice, bob, charlie]) {
    await invite(page, { name: person.name, email: person.email });
    await expect(row(page, person.email)).toContainText('End-user');
  }
  for (const person of [alice, bob]) {
    const link = await copyLink(page, person.email);
    const invitee = await asInvitee(browser);
    await joinWith(invitee.page, link, person.name, person.password);
    await invitee.context.close();
  }

  await openGroups(page);
  const groups = page.getByRole('navigation', { name: 'Groups' });
  await expect(groups.getByRole('list', { name: 'USER ROLE' }).getByRole('link')).toHaveText([
    /^Admin \(1\)$/,
    /^Builder \(\d+\)$/,
    /^End-user \(\d+\)$/,
  ]);

  // A role's name is refused, with the reason.
  await page.getByRole('button', { name: 'Create new group' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create new group' });
  await dialog.getByLabel('Group name').fill('Admin');
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('"Admin" is the name of a role. Choose another name for the group.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  for (const name of ['Engineering', 'Support', 'Sales']) {
    await createGroup(page, name);
  }
  await expect(groups.getByRole('list', { name: 'CUSTOM GROUPS' }).getByRole('link')).toHaveText([
    'Engineering (0)',
    'Sales (0)',
    'Support (0)',
  ]);

  await addToGroup(page, 'Engineering', alice.email);
  await expect(page.getByRole('heading', { name: 'Engineering (1)' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: alice.email })).toBeVisible();
  await addToGroup(page, 'Support', bob.email);
  await expect(page.getByRole('heading', { name: 'Support (1)' })).toBeVisible();
  await addToGroup(page, 'Sales', charlie.email);
  await expect(page.getByRole('heading', { name: 'Sales (1)' })).toBeVisible();
});

test('an app, a folder and a constant get their groups from their Permissions sections', async ({ page }) => {
  await signIn(page);
  // The resources themselves, made through the API their pages use.
  ticketsFolder = (await post(page, 'folders/create', { slug: admin.slug, name: 'Customer Tickets' })).id;
  bugTracker = await post(page, 'apps/create', { slug: admin.slug, name: 'Bug Tracker' });
  const ticketQueue = await post(page, 'apps/create', {
    slug: admin.slug,
    name: 'Ticket Queue',
    folder_id: String(ticketsFolder),
  });
  const salesPipeline = await post(page, 'apps/create', { slug: admin.slug, name: 'Sales Pipeline' });
  // Released, so that those who may only view them find them.
  for (const app of [bugTracker, ticketQueue, salesPipeline]) {
    await post(page, 'apps/release', { slug: admin.slug, app_id: String(app), notes: '' });
  }
  apiKey = await post(page, 'constants/create', { slug: admin.slug, name: 'API_KEY', value: 'sk-live-123' });

  // End-users see every app by default; TechCorp wants access by department instead.
  await openGroup(page, 'End-user');
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await page.getByRole('button', { name: 'Delete permission Apps' }).click();
  await page.getByRole('dialog', { name: 'Delete permission' }).getByRole('button', { name: 'Delete permission' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Permission deleted.');
  await expect(page.getByText('No permissions added yet.')).toBeVisible();

  // Engineering → Edit on Bug Tracker: Alice is an End-user, so the change asks first.
  await grant(page, `/${admin.slug}/apps/${bugTracker}`, 'Engineering', 'Edit');
  const consent = page.getByRole('dialog', { name: 'Make these users Builders?' });
  await expect(consent.getByRole('list', { name: 'Users who become Builders' })).toHaveText(alice.email);
  await consent.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Access updated.' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Engineering/ })).toContainText('Bug Tracker: Edit on chosen apps');

  // Support → View on the Customer Tickets folder; Engineering → View on API_KEY.
  await grant(page, `/${admin.slug}/folders/${ticketsFolder}`, 'Support', 'View');
  await expect(page.getByRole('row', { name: /Support/ })).toContainText('Customer Tickets: View on chosen folders');
  await grant(page, `/${admin.slug}/constants/${apiKey}`, 'Engineering', 'View');
  await expect(page.getByRole('row', { name: /Engineering/ })).toContainText('API_KEY: View on chosen workspace constants');

  // The group's own page shows the same rules.
  await openGroup(page, 'Engineering');
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await expect(page.getByRole('row', { name: /Bug Tracker/ })).toContainText('Edit');
  await expect(page.getByRole('row', { name: /API_KEY/ })).toContainText('View');

  await openUsers(page);
  await expect(row(page, alice.email)).toContainText('Builder');
  await expect(row(page, bob.email)).toContainText('End-user');
});

test('each user sees what their groups allow, and the admin sees why', async ({ page, browser }) => {
  const bobSession = await signedInAs(browser, bob.email, bob.password);
  const dashboard = bobSession.page;
  await dashboard.goto(`/${admin.slug}`);
  await expect(dashboard.getByRole('link', { name: 'Ticket Queue', exact: true })).toBeVisible();
  await expect(dashboard.getByRole('link', { name: 'Bug Tracker', exact: true })).toHaveCount(0);
  await expect(dashboard.getByRole('link', { name: 'Sales Pipeline', exact: true })).toHaveCount(0);
  await expect(dashboard.getByRole('button', { name: 'Create app' })).toHaveCount(0);
  // Opening an app by its address doesn't get around the rules.
  await dashboard.goto(`/${admin.slug}/apps/${bugTracker}`);
  await expect(dashboard.getByRole('alert').filter({ hasText: "doesn't exist in this workspace" })).toBeVisible();
  await bobSession.context.close();

  const aliceSession = await signedInAs(browser, alice.email, alice.password);
  await aliceSession.page.goto(`/${admin.slug}/apps/${bugTracker}/edit`);
  await expect(aliceSession.page.getByRole('button', { name: 'Save' })).toBeVisible();
  await aliceSession.context.close();

  await signIn(page);
  await openUsers(page);
  await rowAction(page, bob.email, 'Effective permissions');
  const explained = page.getByRole('dialog', { name: `Effective permissions of ${bob.email}` });
  await expect(explained.getByRole('row', { name: /Ticket Queue/ })).toContainText(
    'Customer Tickets: View on chosen folders (Support)',
  );
  await expect(explained.getByRole('row', { name: /Bug Tracker/ })).toContainText('No access');
  await explained.getByRole('button', { name: 'Close' }).click();
});

test('Alice becomes an admin, Charlie is removed, and demotions say what they take away', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await rowAction(page, alice.email, 'Edit user details');
  let dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await dialog.getByLabel('User role').selectOption({ label: 'Admin' });
  await dialog.getByRole('button', { name: 'Update' }).click();
  await page.getByRole('dialog', { name: 'Edit user role' }).getByRole('button', { name: 'Continue' }).click();
  await expect(row(page, alice.email)).toContainText('Admin');

  const aliceSession = await signedInAs(browser, alice.email, alice.password);
  await aliceSession.page.goto(groupsPage);
  await expect(aliceSession.page.getByRole('button', { name: 'Create new group' })).toBeVisible();
  // Alice owns an app of her own before she is made an End-user below.
  await post(aliceSession.page, 'apps/create', { slug: admin.slug, name: "Alice's Tool" });
  await aliceSession.context.close();

  await rowAction(page, charlie.email, 'Remove from workspace');
  await page.getByRole('dialog', { name: 'Remove from workspace' }).getByRole('button', { name: 'Remove' }).click();
  await expect(row(page, charlie.email)).toHaveCount(0);

  // Admin → End-user: she leaves Engineering (builder-level) and her app passes to Ada.
  await rowAction(page, alice.email, 'Edit user details');
  dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await dialog.getByLabel('User role').selectOption({ label: 'End-user' });
  await dialog.getByRole('button', { name: 'Update' }).click();
  const confirm = page.getByRole('dialog', { name: 'Edit user role' });
  await expect(confirm.getByRole('list', { name: 'Custom groups they will leave' })).toHaveText('Engineering');
  await expect(confirm.getByRole('list', { name: 'Apps that will be transferred to you' })).toHaveText("Alice's Tool");
  await confirm.getByRole('button', { name: 'Continue' }).click();
  await expect(row(page, alice.email)).toContainText('End-user');

  await openGroup(page, 'Engineering');
  await expect(page.getByRole('heading', { name: 'Engineering (0)' })).toBeVisible();
  await openGroups(page);
  await expect(page.getByRole('link', { name: 'Sales (0)' })).toBeVisible();
});

test('flags need consent for end-users; groups duplicate, rename and delete', async ({ page }) => {
  await signIn(page);
  await addToGroup(page, 'Support', alice.email);
  await page.getByRole('tab', { name: 'Permissions', exact: true }).click();
  const apps = page.getByRole('group', { name: 'Apps' });
  await apps.getByRole('checkbox', { name: 'Create' }).check();
  const consent = page.getByRole('dialog', { name: 'Make these users Builders?' });
  await expect(consent.getByRole('list', { name: 'Users who become Builders' })).toContainText(alice.email);
  await expect(consent.getByRole('list', { name: 'Users who become Builders' })).toContainText(bob.email);
  await consent.getByRole('button', { name: 'Cancel' }).click();
  await expect(apps.getByRole('checkbox', { name: 'Create' })).not.toBeChecked();

  await page.getByRole('button', { name: 'More actions for group Support' }).click();
  await page.getByRole('button', { name: 'Duplicate' }).click();
  const duplicate = page.getByRole('dialog', { name: 'Duplicate group' });
  await expect(duplicate.getByRole('checkbox', { name: 'Users' })).toBeChecked();
  await duplicate.getByRole('button', { name: 'Duplicate' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Group duplicated as Support copy.');
  await expect(page.getByRole('link', { name: 'Support copy (2)' })).toBeVisible();

  await openGroup(page, 'Sales');
  await page.getByRole('button', { name: 'More actions for group Sales' }).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename group' });
  await rename.getByLabel('Group name').fill('Sales & Marketing');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('link', { name: 'Sales & Marketing (0)' })).toBeVisible();

  await openGroup(page, 'Support copy');
  await page.getByRole('button', { name: 'More actions for group Support copy' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete group' }).getByRole('button', { name: 'Delete group' }).click();
  await expect(page.getByRole('link', { name: /^Support copy/ })).toHaveCount(0);

  // Role groups: Admin can't be edited or deleted.
  await openGroup(page, 'Admin');
  await expect(page.getByText('Default group')).toBeVisible();
  await page.getByRole('button', { name: 'More actions for group Admin' }).click();
  await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await page.getByRole('button', { name: 'More actions for group Admin' }).click();
  await page.getByRole('tab', { name: 'Permissions', exact: true }).click();
  await expect(page.getByText('Admin has all permissions. This is not editable.')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Apps' }).getByRole('checkbox', { name: 'Create' })).toBeDisabled();

  // End-users get their view of every app back, through the rule dialog.
  await openGroup(page, 'End-user');
  await page.getByRole('tab', { name: 'Granular permissions' }).click();
  await page.getByRole('button', { name: 'Add permission' }).click();
  const rule = page.getByRole('dialog', { name: 'Add permission' });
  await rule.getByLabel('Permission name').fill('Apps');
  await expect(rule.getByRole('radio', { name: 'Edit' })).toBeDisabled();
  await expect(rule.getByRole('radio', { name: 'View' })).toBeChecked();
  await expect(rule.getByRole('radio', { name: 'Custom' })).toBeDisabled();
  await rule.getByRole('button', { name: 'Add permission' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Permission created.');
  await expect(page.getByRole('row', { name: /Apps/ })).toContainText('All apps');
});
