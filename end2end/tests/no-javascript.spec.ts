import { expect, test } from './fixtures';
import { linkIn, mailsTo } from './mail';

/**
 * With JavaScript turned off, on an instance of its own (scripts/e2e.sh starts a second
 * server): set-up, sign-in and invitations still work, their forms posting to the server.
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
  await expect(page.getByRole('heading', { name: owner.workspace })).toBeVisible();
  await expect(page.getByText('You are Admin in this workspace.')).toBeVisible();

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
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
});

test('without JavaScript an invitee joins with the link they were mailed', async ({ page, browser }) => {
  const invitee = { fullName: 'Katharine Burr', email: 'katharine@wavelength.example' };
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}$`));
  // Inviting is the Add users dialog's work, which needs JavaScript: the admin's session
  // calls its server function directly.
  const invited = await page.request.post('/api/users/invite', {
    data: { slug: owner.slug, full_name: invitee.fullName, email: invitee.email, role: 'end-user', metadata: [] },
  });
  expect(invited.ok()).toBe(true);
  await expect.poll(async () => (await mailsTo(page, invitee.email)).length).toBe(1);
  const [mail] = await mailsTo(page, invitee.email);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const theirs = await context.newPage();
  await theirs.goto(linkIn(mail.text));
  await expect(theirs.getByRole('heading', { name: `Join ${owner.workspace}` })).toBeVisible();
  await theirs.getByLabel('Full name').fill(invitee.fullName);
  await theirs.getByLabel('Password').fill('short');
  await theirs.getByRole('button', { name: 'Join workspace' }).click();
  await expect(theirs.getByRole('alert')).toHaveText('A password must be at least 8 characters long.');
  await theirs.getByLabel('Full name').fill(invitee.fullName);
  await theirs.getByLabel('Password').fill('lamarr antheil');
  await theirs.getByRole('button', { name: 'Join workspace' }).click();
  await expect(theirs).toHaveURL(new RegExp(`/${owner.slug}$`));
  await expect(theirs.getByText('You are End-user in this workspace.')).toBeVisible();
  await context.close();

  const listed = await page.request.post('/api/users/list', { form: { slug: owner.slug, search: invitee.email } });
  const { members } = await listed.json();
  expect(members.map((member: { status: string }) => member.status)).toEqual(['Active']);
});
