import { expect, hydrated, test } from './fixtures';
import { linkIn, mailsTo } from './mail';
import { asInvitee, copyLink, invite, joinWith, openUsers, row, rowAction } from './members';
import { admin, fillSignIn, signIn } from './people';

test('a copied link for someone another workspace invited mails them a link of their own', async ({
  page,
  browser,
}) => {
  await signIn(page);
  const created = await page.request.post('/api/workspaces/create', { form: { name: 'Harbor' } });
  expect(created.ok(), await created.text()).toBeTruthy();
  await openUsers(page);
  await invite(page, { name: 'Evelyn Granville', email: 'evelyn@techcorp.example' });
  await expect.poll(async () => (await mailsTo(page, 'evelyn@techcorp.example')).length).toBe(1);

  await page.goto('/harbor/settings/users');
  await expect(page.getByRole('button', { name: 'Add users' })).toBeEnabled();
  await invite(page, { name: 'Evelyn G.', email: 'evelyn@techcorp.example' });
  const copied = await copyLink(page, 'evelyn@techcorp.example');

  // Whoever holds a copied link can't settle who owns an account TechCorp knows too:
  // the person reading Evelyn's mail does.
  const evelyn = await asInvitee(browser);
  await evelyn.page.goto(copied);
  const join = evelyn.page.getByRole('button', { name: 'Join workspace' });
  await hydrated(evelyn.page);
  await evelyn.page.getByLabel('Full name').fill('Evelyn Granville');
  await evelyn.page.getByLabel('Password').fill('orbit computer');
  await join.click();
  await expect(evelyn.page.getByRole('status')).toHaveText(
    "To make sure this account is yours, we've emailed a link to evelyn@techcorp.example. " +
      'Open it to choose your password and join.',
  );

  await expect.poll(async () => (await mailsTo(page, 'evelyn@techcorp.example')).length).toBe(3);
  const confirmation = (await mailsTo(page, 'evelyn@techcorp.example')).find((mail) =>
    mail.subject.startsWith('Confirm your invitation to Harbor'),
  );
  expect(confirmation).toBeTruthy();
  await evelyn.page.goto(linkIn(confirmation?.text ?? ''));
  await hydrated(evelyn.page);
  await evelyn.page.getByLabel('Full name').fill('Evelyn Granville');
  await evelyn.page.getByLabel('Password').fill('orbit computer');
  await join.click();
  await expect(evelyn.page).toHaveURL(/\/harbor$/);
  await expect(evelyn.page.getByRole('heading', { name: 'Harbor' })).toBeVisible();
  await evelyn.context.close();

  await page.reload();
  await expect(row(page, 'evelyn@techcorp.example')).toContainText('Active');
  await expect(row(page, 'evelyn@techcorp.example')).toContainText('Evelyn Granville');
});

test('admins sign a member out everywhere, from Users and from All users', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: 'Eli Whitney', email: 'eli@techcorp.example' });
  const link = await copyLink(page, 'eli@techcorp.example');
  const eli = await asInvitee(browser);
  await joinWith(eli.page, link, 'Eli Whitney', 'cotton gin');

  await page.reload();
  await rowAction(page, 'eli@techcorp.example', 'Sign out everywhere');
  const confirm = page.getByRole('dialog', { name: 'Sign out everywhere' });
  await expect(confirm).toContainText('eli@techcorp.example is signed out in every browser');
  await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been signed out everywhere.');
  await eli.page.reload();
  await expect(eli.page).toHaveURL(/\/sign-in/);

  await fillSignIn(eli.page, 'eli@techcorp.example', 'cotton gin');
  await expect(eli.page).toHaveURL(new RegExp(`/${admin.slug}$`));
  await page.goto('/settings');
  await page.getByLabel('Search by name or email').fill('eli@');
  await page.getByRole('button', { name: 'More actions for eli@techcorp.example' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'Sign out everywhere' })
    .getByRole('button', { name: 'Sign out everywhere' })
    .click();
  const notice = 'eli@techcorp.example has been signed out everywhere.';
  await expect(page.getByRole('status').filter({ hasText: notice })).toHaveText(notice);
  await eli.page.reload();
  await expect(eli.page).toHaveURL(/\/sign-in/);
  await eli.context.close();
});
