import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction } from './members';
import { admin, signIn } from './people';

/** Calls the SCIM service the way an identity provider does: a bearer token, no cookie. */
async function scim(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const base = process.env.GATEHOUSE_E2E_URL;
  expect(base, 'scripts/e2e.sh gives the server address').toBeTruthy();
  return fetch(`${base}/scim/v2/${admin.slug}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

test('an identity provider provisions a member and a group, then deactivates the member', async ({ page, browser }) => {
  await signIn(page);
  await page.goto(`/${admin.slug}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Provisioning' }).click();
  await expect(page.getByLabel('SCIM base URL')).toHaveValue(new RegExp(`/scim/v2/${admin.slug}$`));
  await page.getByLabel('SCIM token name').fill('Okta');
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const secretField = page.getByLabel('Your new SCIM token');
  await expect(secretField).toHaveValue(/^gatehouse_scim_/);
  const token = await secretField.inputValue();

  const created = await scim('/Users', token, {
    method: 'POST',
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'gladys@techcorp.example',
      name: { givenName: 'Gladys', familyName: 'West' },
      emails: [{ value: 'gladys@techcorp.example', primary: true, type: 'work' }],
      active: true,
    },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const gladys = (await created.json()).id as string;
  const group = await scim('/Groups', token, {
    method: 'POST',
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Field Ops',
      members: [{ value: gladys }],
    },
  });
  expect(group.status, await group.clone().text()).toBe(201);

  await openUsers(page);
  await expect(row(page, 'gladys@techcorp.example')).toContainText('Invited');
  await expect(row(page, 'gladys@techcorp.example')).toContainText('Provisioned');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('navigation', { name: 'Groups' }).getByRole('link', { name: 'Field Ops (1)' })).toBeVisible();

  // She joins through her invitation and works in the workspace.
  await openUsers(page);
  const link = await copyLink(page, 'gladys@techcorp.example');
  const member = await asInvitee(browser);
  await joinWith(member.page, link, 'Gladys West', 'geodesy models');

  const deactivated = await scim(`/Users/${gladys}`, token, {
    method: 'PATCH',
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    },
  });
  expect(deactivated.status, await deactivated.clone().text()).toBe(200);

  await page.reload();
  await expect(row(page, 'gladys@techcorp.example')).toContainText('Archived');
  await member.page.reload();
  await expect(
    member.page.getByRole('alert').filter({ hasText: "This workspace doesn't exist, or you are not an active member of it." }),
  ).toBeVisible();
  await member.context.close();

  // The Provisioning page shows what the identity provider did.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Provisioning' }).click();
  const requests = page.getByRole('table', { name: 'Latest SCIM requests' });
  await expect(requests.getByRole('row').filter({ hasText: `PATCH /Users/${gladys}` })).toContainText('200');
  await expect(requests.getByRole('row').filter({ hasText: 'POST /Groups' })).toContainText('201');
});

test('a revoked SCIM token is refused', async ({ page }) => {
  await signIn(page);
  await page.goto(`/${admin.slug}/settings/provisioning`);
  await page.getByLabel('SCIM token name').fill('Entra ID');
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const token = await page.getByLabel('Your new SCIM token').inputValue();
  expect((await scim('/Users?count=1', token)).status).toBe(200);

  await page.getByRole('button', { name: 'Revoke Entra ID' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'SCIM token Entra ID has been revoked.' })).toBeVisible();
  const refused = await scim('/Users?count=1', token);
  expect(refused.status).toBe(401);
  expect((await refused.json()).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
});

test('a mapped SCIM attribute reaches apps as metadata', async ({ page, browser }) => {
  await signIn(page);
  await page.goto(`/${admin.slug}/settings/provisioning`);
  await page.getByLabel('Metadata key for Department (enterprise)').fill('department');
  await page
    .getByLabel('When a group change would give an End-user builder-level permissions')
    .selectOption({ label: 'Make them Builders' });
  await page.getByRole('button', { name: 'Save provisioning settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Provisioning settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Metadata key for Department (enterprise)')).toHaveValue('department');
  await expect(
    page.getByLabel('When a group change would give an End-user builder-level permissions'),
  ).toHaveValue('promote');

  await page.getByLabel('SCIM token name').fill('JumpCloud');
  await page.getByRole('button', { name: 'Create SCIM token' }).click();
  const token = await page.getByLabel('Your new SCIM token').inputValue();
  const created = await scim('/Users', token, {
    method: 'POST',
    body: {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ],
      userName: 'valerie@techcorp.example',
      name: { givenName: 'Valerie', familyName: 'Thomas' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Logistics' },
    },
  });
  expect(created.status, await created.clone().text()).toBe(201);

  await page.goto(`/${admin.slug}`);
  await page.getByRole('button', { name: 'Create app' }).click();
  const appDialog = page.getByRole('dialog', { name: 'Create app' });
  await appDialog.getByLabel('Name').fill('Logistics board');
  await appDialog.getByRole('button', { name: 'Create app' }).click();
  await expect(page).toHaveURL(new RegExp(`/${admin.slug}/apps/\\d+/edit$`));
  const appUrl = page.url().replace(/\/edit$/, '');
  await page.getByLabel('Body').fill('Dept: {{globals.currentUser.metadata.department}}');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The app has been saved.');
  await page.getByRole('button', { name: 'Release' }).click();
  await page.getByRole('dialog', { name: 'Release version 1' }).getByRole('button', { name: 'Release' }).click();
  await expect(page.getByRole('status').first()).toHaveText('Version 1 has been released. Viewers see it now.');

  await openUsers(page);
  await expect(row(page, 'valerie@techcorp.example').getByLabel('1 key, values hidden')).toBeVisible();
  const link = await copyLink(page, 'valerie@techcorp.example');
  const valerie = await asInvitee(browser);
  await joinWith(valerie.page, link, 'Valerie Thomas', 'illusion transmitter');
  await valerie.page.goto(appUrl);
  await expect(valerie.page.getByLabel('Rendered app')).toHaveText('Dept: Logistics');
  await valerie.context.close();
});

test('an admin hands a member invited by hand over to the identity provider and takes them back', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Mae Jemison', email: 'mae@techcorp.example' });
  await expect(row(page, 'mae@techcorp.example')).not.toContainText('Provisioned');

  await rowAction(page, 'mae@techcorp.example', 'Hand over to identity provider');
  await expect(page.getByRole('status').first()).toHaveText('The identity provider now manages this user.');
  await expect(row(page, 'mae@techcorp.example')).toContainText('Provisioned');

  await rowAction(page, 'mae@techcorp.example', 'Take back from identity provider');
  await expect(page.getByRole('status').first()).toHaveText('The identity provider no longer manages this user.');
  await expect(row(page, 'mae@techcorp.example')).not.toContainText('Provisioned');
});
