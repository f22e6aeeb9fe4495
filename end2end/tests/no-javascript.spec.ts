import { expect, test } from './fixtures';
import { linkIn, mailsTo } from './mail';
import { createGroup } from './groups';
import { invite } from './members';
import { signIn } from './people';

/**
 * With JavaScript turned off, on an instance of its own (scripts/e2e.sh starts a second
 * server): set-up, sign-in and joining through an invitation still work, their forms
 * posting to the server, and the pages that load data on the server arrive with it
 * (issue 19, part 1).
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

const invitee = {
  name: 'Grace Hopper',
  email: 'grace@wavelength.example',
  password: 'first compiler',
};

const customGroup = 'Radio engineers';

test('without JavaScript an invited person joins through the mailed link', async ({ browser, page }) => {
  // The owner invites from a browser with JavaScript: the Users page needs it.
  const owners = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: true });
  const ownersPage = await owners.newPage();
  await signIn(ownersPage, owner.email, owner.password);
  await ownersPage.goto(`/${owner.slug}/settings/users`);
  await expect(ownersPage.getByRole('button', { name: 'Add users' })).toBeEnabled();
  await invite(ownersPage, { name: invitee.name, email: invitee.email });
  // A custom group, for the Group filters the pages below arrive with.
  await ownersPage.goto(`/${owner.slug}/settings/groups`);
  await expect(ownersPage.getByRole('button', { name: 'Create new group' })).toBeEnabled();
  await createGroup(ownersPage, customGroup);
  await owners.close();

  const [mail] = await mailsTo(page, invitee.email);
  await page.goto(linkIn(mail.text));
  await expect(page.getByRole('heading', { name: `Join ${owner.workspace}` })).toBeVisible();
  await expect(page.getByLabel('Full name')).toHaveValue(invitee.name);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Join workspace' }).click();
  await expect(page.getByRole('alert')).toHaveText('A password must be at least 8 characters long.');

  await page.getByLabel('Password').fill(invitee.password);
  await page.getByRole('button', { name: 'Join workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}$`));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
});

test('without JavaScript the pages arrive with their data', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}$`));
  await expect(page.getByRole('heading', { name: owner.workspace, level: 1 })).toBeVisible();
  await expect(page.getByText('There are no apps yet. Create one with Create app.')).toBeVisible();

  const member = (email: string) => page.getByRole('row').filter({ hasText: email });
  await page.goto(`/${owner.slug}/settings/users`);
  await expect(member(owner.email)).toBeVisible();
  await expect(member(invitee.email)).toContainText('Active');
  const groupFilter = page.getByLabel('Group', { exact: true });
  await expect(groupFilter.getByRole('option')).toHaveText(['All groups', customGroup]);

  await page.goto(`/${owner.slug}/settings/access-matrix`);
  await expect(groupFilter.getByRole('option')).toHaveText(['All groups', customGroup]);

  // The group shown first, Admin, with its member and whom it can add.
  await page.goto(`/${owner.slug}/settings/groups`);
  await expect(page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: customGroup })).toBeVisible();
  await expect(member(owner.email)).toBeVisible();
  await expect(
    page.getByRole('group', { name: 'Users who can join' }).getByLabel(`${invitee.name} (${invitee.email})`),
  ).toBeVisible();

  await page.goto(`/${owner.slug}/settings/access-tokens`);
  await expect(page.getByText('No member has an access token.')).toBeVisible();

  await page.goto(`/${owner.slug}/settings/provisioning`);
  await expect(page.getByLabel('SCIM base URL')).toHaveValue(new RegExp(`/scim/v2/${owner.slug}`));

  await page.goto(`/${owner.slug}/settings/audit-log`);
  await expect(member(invitee.email).first()).toBeVisible();

  await page.goto('/settings/audit-log');
  await expect(member(invitee.email).first()).toBeVisible();
  const workspaceFilter = page.getByRole('form', { name: 'Filter events' }).getByLabel('Workspace');
  await expect(workspaceFilter.getByRole('option')).toHaveText(['All workspaces', owner.workspace]);
  await expect(page.getByLabel('Keep events for (days)')).toBeVisible();

  await page.goto(`/${owner.slug}/settings/constants`);
  await expect(page.getByText('There are no workspace constants you can see.')).toBeVisible();

  await page.goto(`/${owner.slug}/settings/data-sources`);
  await expect(page.getByText('There are no data sources you can use.')).toBeVisible();

  await page.goto('/settings');
  await expect(page.getByLabel('Total users')).toHaveText('2');
  await expect(member(invitee.email)).toBeVisible();

  await page.goto('/settings/email-outbox');
  await expect(member(invitee.email)).toBeVisible();

  await page.goto('/settings/workspaces');
  await expect(page.getByRole('row').filter({ hasText: owner.workspace })).toBeVisible();

  await page.goto('/settings/single-sign-on');
  await expect(page.getByText('No identity provider yet')).toBeVisible();

  await page.goto('/profile');
  await expect(page.getByRole('main').getByText(owner.email)).toBeVisible();

  // A resource's page arrives with who has access to it, for its admin.
  const created = await page.request.post('/api/apps/create', { form: { slug: owner.slug, name: 'Antenna planner' } });
  expect(created.ok(), await created.text()).toBeTruthy();
  await page.goto(`/${owner.slug}/apps/${await created.json()}`);
  await expect(page.getByRole('heading', { name: 'Antenna planner', level: 1 })).toBeVisible();
  const permissions = page.getByRole('region', { name: 'Permissions' });
  const adminRow = permissions.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Admin', exact: true }) });
  await expect(adminRow).toContainText('Edit');
  await expect(permissions.getByLabel(`Access for ${customGroup}`)).toHaveValue('none');
});
