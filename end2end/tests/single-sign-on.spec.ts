import { type Browser, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row } from './members';
import { admin, fillSignIn, signIn } from './people';

/** The local OpenID provider scripts/e2e.sh starts (end2end/oidc-provider.mjs). */
const issuer = process.env.OIDC_ISSUER ?? '';

/** Sets what the provider says about someone: their address and their groups. */
async function atProvider(sub: string, email: string, groups: string[], name = 'Radia Perlman') {
  const reply = await fetch(`${issuer}/test/accounts/${sub}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, email_verified: true, name, groups }),
  });
  expect(reply.status).toBe(204);
}

/** Signs in through the provider's own login form, in a browser of one's own. */
async function signInThroughProvider(browser: Browser, login: string) {
  const { context, page } = await asInvitee(browser);
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.getByRole('textbox', { name: 'Enter any login' }).fill(login);
  await page.getByRole('textbox', { name: 'and password' }).fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}$`));
  return { context, page };
}

async function openWorkspaceSso(page: Page) {
  await page.goto(`/${admin.slug}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Single sign-on' }).click();
  await expect(page.getByRole('button', { name: 'Save single sign-on settings' })).toBeEnabled();
}

async function saveWorkspaceSso(page: Page) {
  await page.getByRole('button', { name: 'Save single sign-on settings' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Single sign-on settings saved.');
}

async function createGroup(page: Page, name: string) {
  await page.goto(`/${admin.slug}/settings/groups`);
  await page.getByRole('button', { name: 'Create new group' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create new group' });
  await dialog.getByLabel('Group name').fill(name);
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog).toBeHidden();
}

/** The group's link in the Groups page's list, which names its member count. */
function groupLink(page: Page, name: string, members: number) {
  return page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: `${name} (${members})` });
}

test('people sign in through the identity provider, join, and their groups follow it in each sync mode', async ({ page, browser }) => {
  expect(issuer, 'scripts/e2e.sh starts the OpenID provider').toBeTruthy();
  await signIn(page);

  // A super admin adds the provider for the instance and tests the connection.
  await page.goto('/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Single sign-on' }).click();
  await expect(page.getByRole('button', { name: 'Save identity provider' })).toBeEnabled();
  await page.getByLabel('Display name').fill('Test IdP');
  await page.getByLabel('Issuer URL').fill(issuer);
  await page.getByLabel('Client ID').fill('gatehouse');
  await page.getByLabel('Client secret').fill('gatehouse-test-secret');
  await page.getByLabel('Scopes').fill('openid email profile groups');
  await page.getByLabel('Allowed email domains').fill('techcorp.example');
  await page.getByRole('button', { name: 'Save identity provider' }).click();
  await expect(page.getByRole('status').first()).toContainText('/sso/test-idp/callback');
  await page.getByRole('button', { name: 'Test connection to Test IdP' }).click();
  const report = page.getByRole('status').filter({ hasText: 'Connection to Test IdP' });
  await expect(report).toContainText('The connection works.');
  await expect(report).toContainText('sign out at the provider too');

  // The workspace accepts it and maps two of the provider's groups.
  await createGroup(page, 'Compilers');
  await createGroup(page, 'Cobol');
  await openWorkspaceSso(page);
  await page.getByLabel('Accept Test IdP').check();
  await page.getByLabel('Group sync mode').selectOption('full');
  for (const [index, [idpGroup, group]] of [['compilers', 'Compilers'], ['cobol', 'Cobol']].entries()) {
    await page.getByRole('button', { name: 'Add group mapping' }).click();
    await page.getByLabel(`Identity provider group ${index + 1}`).fill(idpGroup);
    await page.getByLabel(`Gatehouse group ${index + 1}`).selectOption({ label: group });
  }
  await saveWorkspaceSso(page);

  // Full: the first sign-in creates the member with her mapped groups…
  await atProvider('radia', 'radia@techcorp.example', ['Compilers', 'Unmapped']);
  const first = await signInThroughProvider(browser, 'radia');
  await expect(first.page.getByRole('button', { name: /Account menu for Radia Perlman/ })).toBeVisible();
  await first.context.close();
  await openUsers(page);
  await expect(row(page, 'radia@techcorp.example')).toContainText('Active');
  await page.goto(`/${admin.slug}/settings/groups`);
  await expect(groupLink(page, 'Compilers', 1)).toBeVisible();
  await expect(groupLink(page, 'Cobol', 0)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: /^Unmapped/ })).toHaveCount(0);

  // …and the next one follows the provider both ways.
  await atProvider('radia', 'radia@techcorp.example', ['Cobol']);
  (await signInThroughProvider(browser, 'radia')).context.close();
  await page.reload();
  await expect(groupLink(page, 'Compilers', 0)).toBeVisible();
  await expect(groupLink(page, 'Cobol', 1)).toBeVisible();

  // Additive: groups are only added.
  await openWorkspaceSso(page);
  await page.getByLabel('Group sync mode').selectOption('additive');
  await saveWorkspaceSso(page);
  await atProvider('radia', 'radia@techcorp.example', ['Compilers']);
  (await signInThroughProvider(browser, 'radia')).context.close();
  await page.goto(`/${admin.slug}/settings/groups`);
  await expect(groupLink(page, 'Compilers', 1)).toBeVisible();
  await expect(groupLink(page, 'Cobol', 1)).toBeVisible();

  // First sign-in only: Radia's groups stay; a newcomer's are set once.
  await openWorkspaceSso(page);
  await page.getByLabel('Group sync mode').selectOption('first_sign_in');
  await saveWorkspaceSso(page);
  await atProvider('radia', 'radia@techcorp.example', []);
  (await signInThroughProvider(browser, 'radia')).context.close();
  await atProvider('frances', 'frances@techcorp.example', ['Cobol'], 'Frances Allen');
  (await signInThroughProvider(browser, 'frances')).context.close();
  await atProvider('frances', 'frances@techcorp.example', ['Compilers'], 'Frances Allen');
  (await signInThroughProvider(browser, 'frances')).context.close();
  await page.goto(`/${admin.slug}/settings/groups`);
  await expect(groupLink(page, 'Compilers', 1)).toBeVisible();
  await expect(groupLink(page, 'Cobol', 2)).toBeVisible();
});

test('a workspace that requires single sign-on refuses the password form, except to a super admin', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Margaret Hamilton', email: 'margaret@techcorp.example' });
  const link = await copyLink(page, 'margaret@techcorp.example');
  const margaret = await asInvitee(browser);
  // The invitation page offers the identity provider too.
  await margaret.page.goto(link);
  await expect(margaret.page.getByRole('link', { name: 'Sign in with Test IdP' })).toBeVisible();
  await joinWith(margaret.page, link, 'Margaret Hamilton', 'apollo guidance');
  await margaret.context.close();

  await openWorkspaceSso(page);
  await page.getByLabel(/^Require single sign-on/).check();
  await saveWorkspaceSso(page);
  try {
    const refused = await asInvitee(browser);
    await refused.page.goto('/sign-in');
    await fillSignIn(refused.page, 'margaret@techcorp.example', 'apollo guidance');
    await expect(refused.page.getByRole('alert')).toHaveText(
      'Your workspace requires single sign-on. Sign in with your identity provider.',
    );
    await expect(refused.page).toHaveURL(/\/sign-in/);
    await refused.context.close();

    // Break-glass: the super admin still signs in with a password.
    const glass = await asInvitee(browser);
    await signIn(glass.page);
    await glass.context.close();
  } finally {
    await openWorkspaceSso(page);
    await page.getByLabel(/^Require single sign-on/).uncheck();
    await saveWorkspaceSso(page);
  }
});

test('signing out of a single sign-on session signs out at the provider, which asks for the login again', async ({ browser }) => {
  await atProvider('radia', 'radia@techcorp.example', []);
  const { context, page } = await signInThroughProvider(browser, 'radia');
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await expect(page.getByRole('textbox', { name: 'Enter any login' })).toBeVisible();
  await context.close();
});

test('a refused sign-in says why on the sign-in page', async ({ page }) => {
  await page.goto('/sign-in?sso_error=email_unverified');
  await expect(page.getByRole('alert')).toHaveText("The identity provider hasn't verified your email address.");
});
