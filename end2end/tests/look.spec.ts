import { type Page } from '@playwright/test';
import { expect, expectAccessible, hydrated, test } from './fixtures';

/**
 * How the main pages look, in light and dark, on a wide screen and a phone. The instance
 * is its own (scripts/e2e.sh starts it with invitations that expire after a second), set
 * up here with the same people every run, so the screenshots only change when the look
 * does. The font comes from the app itself (style/fonts), not from the machine.
 */

const owner = {
  fullName: 'Grace Hopper',
  email: 'grace@northwind.example',
  password: 'compiler first',
  workspace: 'Northwind',
  slug: 'northwind',
};

const people = [
  'Full Name,Email,Role,Groups,Metadata',
  'Alan Turing,alan@northwind.example,Builder,Engineering,',
  'Barbara Liskov,barbara@northwind.example,Admin,,',
  'Claude Shannon,claude@northwind.example,End-user,Engineering|Support,',
  'Dorothy Vaughan,dorothy@northwind.example,End-user,Support,"{""region"":""EMEA""}"',
  'Edsger Dijkstra,edsger@northwind.example,Builder,,',
].join('\n');

const sizes = [
  { name: 'wide', width: 1400, height: 900 },
  { name: 'phone', width: 375, height: 812 },
] as const;
const themes = ['light', 'dark'] as const;

test.describe.configure({ mode: 'serial' });

test('an instance with a workspace, groups and people is set up', async ({ page }) => {
  await page.goto('/setup');
  await hydrated(page);
  await page.getByLabel('Full name').fill(owner.fullName);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByLabel('Workspace name').fill(owner.workspace);
  await page.getByRole('button', { name: 'Set up Gatehouse' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}$`));

  await page.goto(`/${owner.slug}/settings/groups`);
  // The empty state says what to do, and doing it opens the same dialog.
  await page.getByRole('button', { name: 'Create your first group' }).click();
  for (const name of ['Engineering', 'Support']) {
    if (name !== 'Engineering') await page.getByRole('button', { name: 'Create new group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create new group' });
    await dialog.getByLabel('Group name').fill(name);
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await expect(dialog).toBeHidden();
  }

  await page.goto(`/${owner.slug}/settings/users`);
  await page.getByRole('button', { name: 'Add users' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add users' });
  await dialog.getByRole('tab', { name: 'Upload CSV file' }).click();
  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(people) });
  // The upload is held back a moment on its way to the server, long enough to see the
  // progress a large file shows for its whole upload.
  await page.route('**/api/users/import-csv', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await dialog.getByRole('button', { name: 'Upload users' }).click();
  await expect(dialog.getByRole('progressbar', { name: 'Upload progress' })).toBeVisible();
  await expect(dialog.getByText('Checking and inviting 5 rows…')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Upload users' })).toBeDisabled();
  await expect(dialog).toBeHidden();
  await page.unroute('**/api/users/import-csv');
  await expect(page.getByRole('status').first()).toHaveText('5 users invited');

  await page.getByRole('button', { name: 'More actions for edsger@northwind.example' }).click();
  await page.getByRole('button', { name: 'Archive', exact: true }).click();
  await expect(page.getByRole('status').first()).toHaveText('The user has been archived.');
});

test('the Users page counts members by status, and each count filters the list', async ({ page }) => {
  await signIn(page);
  await page.goto(`/${owner.slug}/settings/users`);
  const counts = page.getByRole('list', { name: 'Member counts' });
  await expect(counts.getByRole('button')).toHaveText(['1 active', '4 invited', '1 archived']);

  await counts.getByRole('button', { name: '1 archived' }).click();
  await expect(counts.getByRole('button', { name: '1 archived' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('archived');
  await expect(page.getByRole('table', { name: 'Members of this workspace' }).getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('row').filter({ hasText: 'edsger@northwind.example' })).toContainText('Archived');

  // Pressed again, the filter lets everyone back.
  await counts.getByRole('button', { name: '1 archived' }).click();
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('all');
  await expect(page.getByRole('table', { name: 'Members of this workspace' }).getByRole('row')).toHaveCount(7);
});

test('an expired invitation is marked, and one click sends a new one', async ({ page }) => {
  await signIn(page);
  await page.goto(`/${owner.slug}/settings/users`);
  const alan = await expiredInvitationRow(page, 'alan@northwind.example');
  await alan.getByRole('button', { name: 'Resend invitation to alan@northwind.example' }).click();
  await expect(page.getByRole('status').first()).toHaveText('A new invitation is on its way to alan@northwind.example.');

  // The toast stays until dismissed; dismissing it sends focus to the page's title, not
  // back to the start of the document.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  await dismiss.click();
  await expect(page.getByRole('status').first()).toHaveText('');
  await expect(dismiss).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeFocused();
});

test('copying an expired invitation\'s link clears its Expired mark at once', async ({ page }) => {
  await signIn(page);
  await page.goto(`/${owner.slug}/settings/users`);
  const barbara = await expiredInvitationRow(page, 'barbara@northwind.example');
  await barbara.getByRole('button', { name: 'Copy link for barbara@northwind.example' }).click();
  const shown = page.getByRole('dialog', { name: 'Invitation link' });
  await expect(shown.getByLabel('Invitation link')).toHaveValue(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Done' }).click();
  // The copied link is a fresh one: no reload needed to stop calling this one expired.
  await expect(barbara).not.toContainText('Expired');
  await expect(barbara.getByRole('button', { name: 'Resend invitation to barbara@northwind.example' })).toBeHidden();
  await expect(barbara).toContainText('Invited');
});

test('the theme switch in the account menu changes the theme and remembers it', async ({ page }) => {
  await signIn(page);
  const html = page.locator('html');
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await page.getByRole('button', { name: `Account menu for ${owner.fullName}` }).click();
  const theme = page.getByRole('group', { name: 'Theme' });
  await expect(theme.getByRole('radio', { name: 'Match system' })).toBeChecked();
  await theme.getByRole('radio', { name: 'Dark' }).check();
  await expect(html).toHaveAttribute('data-theme', 'dark');

  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await hydrated(page);
  await page.getByRole('button', { name: `Account menu for ${owner.fullName}` }).click();
  await expect(theme.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await theme.getByRole('radio', { name: 'Match system' }).check();
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await page.reload();
  await expect(html).not.toHaveAttribute('data-theme', /./);
});

test('on a phone the sidebar folds into a menu button', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page);
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
  await menu.click();
  await expect(nav).toBeVisible();
  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(new RegExp(`/${owner.slug}/settings/users$`));
  await expect(nav).toBeHidden();
  // Nothing is wider than the screen: the table has become cards.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'how many pixels the page is wider than the screen').toBeLessThanOrEqual(0);
});

/** The pages shot after signing in: the Users page shows every badge and an avatar per row. */
const signedInPages = [
  { name: 'dashboard', path: `/${owner.slug}` },
  { name: 'users', path: `/${owner.slug}/settings/users` },
  { name: 'groups', path: `/${owner.slug}/settings/groups` },
  { name: 'all-users', path: '/settings' },
];

for (const size of sizes) {
  for (const theme of themes) {
    test(`the main pages look as they did, ${theme} at ${size.width} px`, async ({ page }) => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
      await page.goto('/sign-in');
      await looksAsBefore(page, `sign-in-${theme}-${size.name}`);
      await signIn(page);
      for (const shown of signedInPages) {
        await page.goto(shown.path);
        await looksAsBefore(page, `${shown.name}-${theme}-${size.name}`);
      }
    });
  }
}

async function looksAsBefore(page: Page, name: string) {
  await hydrated(page);
  await page.evaluate(async () => {
    await document.fonts.load('600 16px Inter');
    await document.fonts.ready;
  });
  await expect(page).toHaveScreenshot(`${name}.png`, { fullPage: true });
  // Nothing is wider than the screen, at either size.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `how many pixels ${name} is wider than the screen`).toBeLessThanOrEqual(0);
  // Both themes meet WCAG AA, contrast included, at both sizes.
  await expectAccessible(page);
}

/** The Users page's row for `email`, once it marks the invitation expired (this instance's links last a second). */
async function expiredInvitationRow(page: Page, email: string) {
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Expired', { timeout: 1_000 });
  }).toPass();
  await hydrated(page);
  return row;
}

async function signIn(page: Page) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}
