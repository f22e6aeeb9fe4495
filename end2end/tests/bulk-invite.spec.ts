import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { openUsers, row } from './members';
import { signIn } from './people';

async function openUpload(page: import('@playwright/test').Page) {
  await openUsers(page);
  await page.getByRole('button', { name: 'Add users' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add users' });
  await dialog.getByRole('tab', { name: 'Upload CSV file' }).click();
  await expect(dialog.getByRole('tab', { name: 'Upload CSV file' })).toHaveAttribute('aria-selected', 'true');
  return dialog;
}

test('the sample CSV downloads, uploads, and everyone in it is invited', async ({ page }) => {
  await signIn(page);
  const dialog = await openUpload(page);
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('link', { name: 'Download sample CSV' }).click();
  const sample = await (await downloading).path();
  const lines = (await readFile(sample, 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('Full Name,Email,Role,Groups,Metadata');
  expect(lines).toHaveLength(3);

  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles(sample);
  await dialog.getByRole('button', { name: 'Upload users' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').first()).toHaveText('2 users invited');
  await expect(row(page, 'jane.doe@example.com')).toContainText('Invited');
  await expect(row(page, 'john.smith@example.com')).toContainText('Invited');
  await expect(row(page, 'john.smith@example.com')).toContainText('End-user');
});

test('a file with three problems shows all three and invites nobody', async ({ page }) => {
  await signIn(page);
  const dialog = await openUpload(page);
  const csv = [
    'Full Name,Email,Role,Groups',
    'Gus Grissom,gus@techcorp.example,Owner,',
    'techcorp.example,nameless@techcorp.example,Builder,',
    'Ed White,ed@techcorp.example,Builder,No Such Group',
  ].join('\n');
  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await dialog.getByRole('button', { name: 'Upload users' }).click();

  await expect(dialog.getByRole('alert')).toHaveText(
    'The file has 3 problems, so nobody was invited. Fix them and upload the file again.',
  );
  const problems = dialog.getByRole('table', { name: 'Problems in the file' });
  await expect(problems.getByRole('row')).toHaveCount(4);
  await expect(problems.getByRole('row').nth(1)).toHaveText(['2', 'Role', '"Owner" isn\'t a role. Use Admin, Builder or End-user.'].join(''));
  await expect(problems.getByRole('row').nth(2)).toHaveText(
    ['3', 'Full Name', "A name can't contain a web address, an email address or a domain name."].join(''),
  );
  await expect(problems.getByRole('row').nth(3)).toHaveText(
    ['4', 'Groups', 'There is no custom group named "No Such Group" in this workspace.'].join(''),
  );

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  for (const email of ['gus@techcorp.example', 'nameless@techcorp.example', 'ed@techcorp.example']) {
    await expect(row(page, email)).toHaveCount(0);
  }
});

test('a file over 1 MiB is refused in the browser before it is read', async ({ page }) => {
  await signIn(page);
  const dialog = await openUpload(page);
  const large = Buffer.alloc(1024 * 1024 + 1, ' ');
  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer: large });
  await dialog.getByRole('button', { name: 'Upload users' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('The file is larger than 1 MiB. Split it into smaller files.');
});
