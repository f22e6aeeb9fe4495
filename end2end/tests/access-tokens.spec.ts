import { expect, test } from './fixtures';
import { openUsers, row } from './members';
import { admin, signIn } from './people';

/** Calls the REST API the way a script does: plain fetch, a bearer token, no cookie. */
async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const base = process.env.GATEHOUSE_E2E_URL;
  expect(base, 'scripts/e2e.sh gives the server address').toBeTruthy();
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

test('a token made in Profile invites someone through the API until it is revoked', async ({ page }) => {
  await signIn(page);
  await page.goto('/profile');
  const form = page.getByRole('form', { name: 'New access token' });
  await form.getByLabel('Token name').fill('Onboarding script');
  await form.getByLabel('Expires after').selectOption({ label: '7 days' });
  await form.getByRole('checkbox', { name: 'members:write' }).check();
  await form.getByRole('button', { name: 'Create token' }).click();
  const secretField = page.getByLabel('Your new token');
  await expect(secretField).toHaveValue(/^gatehouse_pat_/);
  const token = await secretField.inputValue();

  const tokens = page.getByRole('table', { name: 'Your access tokens' });
  await expect(tokens.getByRole('row').filter({ hasText: 'Onboarding script' })).toContainText('members:write');
  await expect(tokens).not.toContainText(token);

  const invited = await api(`/api/v1/workspaces/${admin.slug}/members`, token, {
    method: 'POST',
    body: { full_name: 'Christine Darden', email: 'christine@techcorp.example', role: 'builder' },
  });
  expect(invited.status, await invited.clone().text()).toBe(201);
  expect(invited.headers.get('location')).toMatch(new RegExp(`^/api/v1/workspaces/${admin.slug}/members/\\d+$`));

  await openUsers(page);
  await expect(row(page, 'christine@techcorp.example')).toContainText('Invited');

  // The admin's inventory lists the token, never its secret.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access tokens' }).click();
  const inventory = page.getByRole('table', { name: 'Access tokens of members' });
  await expect(inventory.getByRole('row').filter({ hasText: 'Onboarding script' })).toContainText(admin.email);
  await expect(inventory).not.toContainText(token);

  await page.goto('/profile');
  await page.getByRole('button', { name: 'Revoke Onboarding script' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Token Onboarding script has been revoked.' })).toBeVisible();
  await expect(tokens.getByRole('row').filter({ hasText: 'Onboarding script' })).toContainText('Revoked');

  const refused = await api(`/api/v1/workspaces/${admin.slug}/members`, token);
  expect(refused.status).toBe(401);
  expect((await refused.json()).code).toBe('access_token_invalid');
});

test('the API documentation page shows the operations', async ({ page }) => {
  await page.goto('/api/docs/');
  await expect(page.getByRole('heading', { name: /Gatehouse admin API/ })).toBeVisible();
  await expect(page.getByText('/api/v1/workspaces/{slug}/members').first()).toBeVisible();
});
