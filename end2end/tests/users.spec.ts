import { expect, hydrated, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction, usersPage } from './members';
import { admin, fillSignIn, signIn, signOut } from './people';


test('an admin invites someone, copies the link, and the invitee joins', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Grace Hopper', email: 'grace@techcorp.example', role: 'Builder' });
  await expect(row(page, 'grace@techcorp.example')).toContainText('Invited');
  await expect(row(page, 'grace@techcorp.example')).toContainText('Builder');
  const link = await copyLink(page, 'grace@techcorp.example');

  const grace = await asInvitee(browser);
  await joinWith(grace.page, link, 'Grace Brewster Hopper', 'compiler pioneer');

  await page.reload();
  await expect(row(page, 'grace@techcorp.example')).toContainText('Active');
  await expect(row(page, 'grace@techcorp.example')).toContainText('Grace Brewster Hopper');

  // The link is spent.
  await grace.page.goto(link);
  await expect(grace.page.getByRole('heading', { name: "This invitation can't be used" })).toBeVisible();
  await expect(grace.page.getByRole('alert').filter({ hasText: 'already been used' })).toBeVisible();

  // Grace changes her own name and password on her profile.
  await grace.page.goto('/profile');
  const save = grace.page.getByRole('button', { name: 'Save name' });
  await expect(save).toBeEnabled();
  await grace.page.getByLabel('Full name').fill('Rear Admiral Grace Hopper');
  await save.click();
  await expect(grace.page.getByText('Your name is now Rear Admiral Grace Hopper.')).toBeVisible();
  await grace.page.getByLabel('Current password').fill('not my password');
  await grace.page.getByLabel('New password').fill('nanosecond wire');
  await grace.page.getByRole('button', { name: 'Change password' }).click();
  await expect(grace.page.getByRole('alert').filter({ hasText: 'incorrect' })).toBeVisible();
  await grace.page.getByLabel('Current password').fill('compiler pioneer');
  await grace.page.getByRole('button', { name: 'Change password' }).click();
  await expect(grace.page.getByText('Your password has been changed.')).toBeVisible();
  await signOut(grace.page);
  await fillSignIn(grace.page, 'grace@techcorp.example', 'nanosecond wire');
  await expect(grace.page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await grace.context.close();
});

test('metadata values are masked everywhere and never in the page source', async ({ page }) => {
  const secret = 'tok-9f8e7d6c-very-secret';
  await signIn(page);
  await openUsers(page);
  await invite(page, {
    name: 'Hedy Lamarr',
    email: 'hedy@techcorp.example',
    metadata: [
      ['api_key', secret],
      ['region', 'eu-west-secret-region'],
    ],
  });
  const hedy = row(page, 'hedy@techcorp.example');
  await expect(hedy.getByLabel('2 keys, values hidden')).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  await rowAction(page, 'hedy@techcorp.example', 'Edit user details');
  const dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await expect(dialog.getByLabel('Key', { exact: true }).first()).toHaveValue('api_key');
  await expect(dialog.getByLabel('Value', { exact: true }).first()).toHaveValue('');
  expect(await page.content()).not.toContain(secret);
  expect(await page.content()).not.toContain('eu-west-secret-region');

  // Change one value, remove the other key: the row then has one key.
  await dialog.getByLabel('Value', { exact: true }).first().fill('rotated-value');
  await dialog.getByRole('button', { name: 'Remove metadata region' }).click();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been updated.');
  await expect(hedy.getByLabel('1 key, values hidden')).toBeVisible();

  const source = await (await page.request.get(usersPage)).text();
  expect(source).not.toContain(secret);
  expect(source).not.toContain('rotated-value');
});

test('changing a role asks for confirmation first', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Katherine Johnson', email: 'katherine@techcorp.example' });
  await rowAction(page, 'katherine@techcorp.example', 'Edit user details');
  const dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await expect(dialog.getByLabel('Name')).toHaveValue('Katherine Johnson');
  await expect(dialog.getByLabel('Email address')).toHaveAttribute('readonly', '');
  await dialog.getByLabel('User role').selectOption({ label: 'Builder' });
  await dialog.getByRole('button', { name: 'Update' }).click();

  const confirm = page.getByRole('dialog', { name: 'Edit user role' });
  await expect(confirm).toContainText('Katherine Johnson will become a Builder and will be able to create and edit apps');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, 'katherine@techcorp.example')).toContainText('End-user');

  await dialog.getByRole('button', { name: 'Update' }).click();
  await confirm.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been updated.');
  await expect(row(page, 'katherine@techcorp.example')).toContainText('Builder');
});

test('an archived member cannot enter until they accept a new invitation', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Mary Jackson', email: 'mary@techcorp.example' });
  const link = await copyLink(page, 'mary@techcorp.example');
  const mary = await asInvitee(browser);
  await joinWith(mary.page, link, 'Mary Jackson', 'wind tunnel');

  await page.reload();
  await rowAction(page, 'mary@techcorp.example', 'Archive');
  await expect(page.getByRole('status').first()).toHaveText('The user has been archived.');
  await expect(row(page, 'mary@techcorp.example')).toContainText('Archived');

  await mary.page.goto(`/${admin.slug}`);
  await expect(
    mary.page.getByRole('alert').filter({ hasText: "This workspace doesn't exist, or you are not an active member of it." }),
  ).toBeVisible();

  await rowAction(page, 'mary@techcorp.example', 'Unarchive');
  await expect(row(page, 'mary@techcorp.example')).toContainText('Invited');
  const again = await copyLink(page, 'mary@techcorp.example');
  await mary.page.goto(again);
  const accept = mary.page.getByRole('button', { name: 'Accept invitation' });
  await hydrated(mary.page);
  await accept.click();
  await expect(mary.page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await page.reload();
  await expect(row(page, 'mary@techcorp.example')).toContainText('Active');
  await mary.context.close();
});

test('removing a member asks first, then takes them out of the list', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Dorothy Vaughan', email: 'dorothy@techcorp.example' });
  await rowAction(page, 'dorothy@techcorp.example', 'Remove from workspace');
  const dialog = page.getByRole('dialog', { name: 'Remove from workspace' });
  await expect(dialog).toContainText('Dorothy Vaughan loses access to this workspace');
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been removed from the workspace.');
  await expect(row(page, 'dorothy@techcorp.example')).toHaveCount(0);
});

test('the last active admin cannot be archived, removed or demoted', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  const refusal = 'A workspace needs at least one active admin. Make another member an admin first.';
  await rowAction(page, admin.email, 'Archive');
  await expect(page.getByRole('alert').filter({ hasText: refusal })).toBeVisible();
  await expect(row(page, admin.email)).toContainText('Active');

  await rowAction(page, admin.email, 'Edit user details');
  const dialog = page.getByRole('dialog', { name: 'Edit user details' });
  await dialog.getByLabel('User role').selectOption({ label: 'End-user' });
  await dialog.getByRole('button', { name: 'Update' }).click();
  await page.getByRole('dialog', { name: 'Edit user role' }).getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(refusal);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, admin.email)).toContainText('Admin');
});

test('search, the status filter and the count', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  await page.getByLabel('Search by name or email').fill('grace');
  await expect(page.getByText('1 user', { exact: true })).toBeVisible();
  // Screen readers hear what the search found.
  await expect(page.getByRole('status').filter({ hasText: 'found' })).toHaveText('1 user found.');
  await expect(row(page, 'grace@techcorp.example')).toBeVisible();
  await expect(row(page, admin.email)).toHaveCount(0);
  await page.getByLabel('Search by name or email').fill('');
  await page.getByLabel('Status').selectOption({ label: 'Invited' });
  await expect(row(page, admin.email)).toHaveCount(0);
  await expect(row(page, 'katherine@techcorp.example')).toContainText('Invited');
});

test('invitation mail goes through SMTP and its link opens the join page', async ({ page, browser, request }) => {
  const sink = process.env.SMTP_SINK_URL;
  expect(sink, 'scripts/e2e.sh starts the SMTP sink').toBeTruthy();
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Annie Easley', email: 'annie@techcorp.example' });

  const linksMailedToAnnie = async () => {
    const messages: { to: string; subject: string; text: string }[] = await (
      await request.get(`${sink}/messages`)
    ).json();
    return messages
      .filter((message) => message.to.includes('annie@techcorp.example'))
      .map((message) => message.text.match(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/)?.[0] ?? '');
  };
  await expect.poll(linksMailedToAnnie).toHaveLength(1);

  // A resend mails a new link, and the first one stops working.
  await rowAction(page, 'annie@techcorp.example', 'Resend invitation');
  await expect(page.getByRole('status').first()).toHaveText(
    'A new invitation is on its way to annie@techcorp.example.',
  );
  await expect.poll(linksMailedToAnnie).toHaveLength(2);
  const [first, latest] = await linksMailedToAnnie();
  const annie = await asInvitee(browser);
  await annie.page.goto(first);
  await expect(annie.page.getByRole('alert').filter({ hasText: 'replaced by a newer one' })).toBeVisible();
  await joinWith(annie.page, latest, 'Annie Easley', 'centaur rocket');
  await annie.context.close();

  await page.goto('/settings');
  await page.getByRole('link', { name: 'Email outbox' }).click();
  await expect(page.getByRole('heading', { name: 'Email outbox' })).toBeVisible();
  // Both mails, the first and the resent one, went out.
  await expect(row(page, 'annie@techcorp.example')).toHaveCount(2);
  for (const mail of await row(page, 'annie@techcorp.example').all()) {
    await expect(mail).toContainText('Sent');
  }
});

test('the list pages through members fifty at a time', async ({ page }) => {
  await signIn(page);
  // Enough members for a second page, invited through the API the page itself uses.
  for (let n = 0; n < 50; n++) {
    const email = `pager${String(n).padStart(2, '0')}@techcorp.example`;
    const reply = await page.request.post('/api/users/invite', {
      data: { slug: admin.slug, full_name: `Pager ${n}`, email, role: 'end-user', metadata: [] },
    });
    expect(reply.ok(), await reply.text()).toBeTruthy();
  }
  await openUsers(page);
  const count = Number((await page.getByText(/^\d+ users$/).textContent())?.split(' ')[0]);
  expect(count).toBeGreaterThan(50);
  await expect(page.getByRole('row')).toHaveCount(51);
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled();
  const firstOnPageOne = await page.getByRole('row').nth(1).textContent();

  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByRole('row')).toHaveCount(count - 50 + 1);
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(page.getByRole('row').nth(1)).toHaveText(firstOnPageOne ?? '');
});
