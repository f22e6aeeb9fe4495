import { readFile } from 'node:fs/promises';
import { type Locator, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { parseCsv } from './csv';
import { createGroup } from './groups';
import { signIn } from './people';

/**
 * Workspace settings › Access matrix, in a workspace of its own: 31 members (Ada and 30
 * people invited from a CSV file) against 15 resources, so that both sides page. Its
 * filters, its pages, each cell explaining itself as Effective permissions does, and the
 * CSV export read back and compared with what the page shows. The tests run in order
 * and build on each other.
 */
test.describe.configure({ mode: 'serial' });

const workspace = { name: 'Matrix Labs', slug: 'matrix-labs' };
const base = `/${workspace.slug}`;
const group = 'Auditors';

/** Person n of the CSV file: 01–03 Builders, the rest End-users; 01, 04 and 05 Auditors. */
function person(n: number) {
  const nn = String(n).padStart(2, '0');
  return {
    name: `Matrix Person ${nn}`,
    email: `person-${nn}@matrix-labs.example`,
    role: n <= 3 ? 'Builder' : 'End-user',
    groups: [1, 4, 5].includes(n) ? group : '',
  };
}
const people = Array.from({ length: 30 }, (_, index) => person(index + 1));
const ada = { name: 'Ada Lovelace', email: 'ada@techcorp.example' };

/** The 15 resources by name, as the matrix orders them, with their CSV headings. */
const resourceHeadings = [
  'LEDGER_KEY (workspace constant)',
  'Reports (folder)',
  ...Array.from({ length: 12 }, (_, index) => `Tool ${String(index + 1).padStart(2, '0')} (app)`),
  'Warehouse (data source)',
];

async function post(page: Page, endpoint: string, form: Record<string, string>) {
  const reply = await page.request.post(`/api/${endpoint}`, { form });
  expect(reply.ok(), await reply.text()).toBeTruthy();
  return reply.json();
}

async function openMatrix(page: Page) {
  await page.goto(`${base}/settings/access-matrix`);
  await expect(page.getByRole('heading', { name: 'Access matrix', level: 1 })).toBeVisible();
  // The filters work once the page runs in the browser, and the matrix loads then.
  await expect(page.getByLabel('Resource kind')).toBeEnabled();
  await expect(matrix(page)).toBeVisible();
}

function matrix(page: Page): Locator {
  return page.getByRole('table', { name: 'Access of members to resources' });
}

function pagerStatus(page: Page, side: 'Members' | 'Resources'): Locator {
  return page.getByRole('navigation', { name: `${side} pages` }).getByRole('status');
}

/** What the page shows: the column headings, and each row's email and levels. */
async function shown(page: Page) {
  return matrix(page).evaluate((table) => ({
    headings: [...table.querySelectorAll('thead th')].slice(1).map((th) => (th.textContent ?? '').trim()),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => ({
      name: tr.querySelector('.matrix-name')?.textContent ?? '',
      email: tr.querySelector('.matrix-email')?.textContent ?? '',
      levels: [...tr.querySelectorAll('.matrix-level')].map((level) => level.textContent ?? ''),
    })),
  }));
}

/** A member's level on a resource, from the page as shown. */
async function levelOf(page: Page, email: string, heading: string) {
  const { headings, rows } = await shown(page);
  const row = rows.find((each) => each.email === email);
  expect(row, `${email} on the page`).toBeDefined();
  const column = headings.indexOf(heading);
  expect(column, `${heading} on the page`).toBeGreaterThanOrEqual(0);
  return row!.levels[column];
}

/** The focusable cell of a member and a resource on the page as shown. */
async function cell(page: Page, email: string, heading: string): Promise<Locator> {
  const { headings } = await shown(page);
  const row = matrix(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(email.replace(/[.]/g, '\\.')) }) });
  return row.getByRole('cell').nth(headings.indexOf(heading)).locator('[tabindex="0"]');
}

async function exportCsv(page: Page): Promise<string[][]> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`access-matrix-${workspace.slug}.csv`);
  return parseCsv(await readFile(await download.path(), 'utf8'));
}

test('an admin sees every member against every resource, a page at a time', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  // A workspace of its own: Ada, as super admin, creates it and is its Admin.
  await page.getByRole('button', { name: 'Create workspace' }).click();
  const create = page.getByRole('dialog', { name: 'Create workspace' });
  await create.getByLabel('Workspace name').fill(workspace.name);
  await create.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await page.goto(`${base}/settings/groups`);
  await expect(page.getByRole('button', { name: 'Create new group' })).toBeEnabled();
  await createGroup(page, group);

  // Thirty people at once, from a file.
  await page.goto(`${base}/settings/users`);
  await expect(page.getByRole('button', { name: 'Add users' })).toBeEnabled();
  await page.getByRole('button', { name: 'Add users' }).click();
  const addUsers = page.getByRole('dialog', { name: 'Add users' });
  await addUsers.getByRole('tab', { name: 'Upload CSV file' }).click();
  const csv = ['Full Name,Email,Role,Groups', ...people.map((p) => [p.name, p.email, p.role, p.groups].join(','))].join('\n');
  await addUsers
    .getByLabel('CSV file', { exact: true })
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await addUsers.getByRole('button', { name: 'Upload users' }).click();
  await expect(addUsers).toBeHidden();
  await expect(page.getByRole('status').first()).toHaveText('30 users invited');

  // Fifteen resources, made through the server functions their pages use.
  await post(page, 'folders/create', { slug: workspace.slug, name: 'Reports' });
  for (let n = 1; n <= 12; n++) {
    await post(page, 'apps/create', { slug: workspace.slug, name: `Tool ${String(n).padStart(2, '0')}` });
  }
  const ledgerKey = await post(page, 'constants/create', { slug: workspace.slug, name: 'LEDGER_KEY', value: 'lk-1' });
  await post(page, 'data-sources/create', {
    slug: workspace.slug,
    name: 'Warehouse',
    kind: 'postgresql',
    configuration: 'host=warehouse.internal',
  });
  // Auditors may view LEDGER_KEY, set where admins set it: on the constant's page.
  await page.goto(`${base}/constants/${ledgerKey}`);
  const access = page.getByRole('region', { name: 'Permissions' }).getByLabel(`Access for ${group}`);
  await expect(access).toBeVisible();
  await access.selectOption({ label: 'View' });
  await expect(page.getByRole('status').filter({ hasText: 'Access updated.' })).toBeVisible();

  // Workspace settings lead there.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access matrix' }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/settings/access-matrix$`));
  await expect(page.getByLabel('Resource kind')).toBeEnabled();

  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–25 of 31');
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–10 of 15');
  let view = await shown(page);
  expect(view.headings).toEqual(resourceHeadings.slice(0, 10));
  expect(view.rows.map((row) => row.email)).toEqual([ada.email, ...people.slice(0, 24).map((p) => p.email)]);
  expect(view.rows[0].name).toBe(ada.name);
  expect(view.rows[0].levels).toEqual(Array(10).fill('Admin'));

  // A Builder edits apps and constants; an End-user views apps; Auditors view LEDGER_KEY.
  expect(await levelOf(page, people[0].email, 'LEDGER_KEY (workspace constant)')).toBe('Edit');
  expect(await levelOf(page, people[0].email, 'Tool 01 (app)')).toBe('Edit');
  expect(await levelOf(page, people[0].email, 'Reports (folder)')).toBe('None');
  expect(await levelOf(page, people[3].email, 'LEDGER_KEY (workspace constant)')).toBe('View');
  expect(await levelOf(page, people[3].email, 'Tool 01 (app)')).toBe('View');
  expect(await levelOf(page, people[5].email, 'LEDGER_KEY (workspace constant)')).toBe('None');

  // Paging, on either side.
  await expect(page.getByRole('button', { name: 'Previous members' })).toBeDisabled();
  await page.getByRole('button', { name: 'Next members' }).click();
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 26–31 of 31');
  view = await shown(page);
  expect(view.rows.map((row) => row.email)).toEqual(people.slice(24).map((p) => p.email));
  await expect(page.getByRole('button', { name: 'Next members' })).toBeDisabled();
  await page.getByRole('button', { name: 'Next resources' }).click();
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 11–15 of 15');
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 26–31 of 31');
  view = await shown(page);
  expect(view.headings).toEqual(resourceHeadings.slice(10));
  expect(await levelOf(page, people[29].email, 'Warehouse (data source)')).toBe('None');
  expect(await levelOf(page, people[29].email, 'Tool 12 (app)')).toBe('View');
  await expect(page.getByRole('button', { name: 'Next resources' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous members' }).click();
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–25 of 31');
  await page.getByRole('button', { name: 'Previous resources' }).click();
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–10 of 15');
  expect(await levelOf(page, people[1].email, 'Tool 08 (app)')).toBe('Edit');
});

test('filters keep one group, one role or one kind of resource', async ({ page }) => {
  await signIn(page);
  await openMatrix(page);
  await page.getByLabel('Group', { exact: true }).selectOption({ label: group });
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–3 of 3');
  let view = await shown(page);
  expect(view.rows.map((row) => row.email)).toEqual([people[0].email, people[3].email, people[4].email]);

  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Builder' });
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–1 of 1');
  expect((await shown(page)).rows.map((row) => row.email)).toEqual([people[0].email]);

  await page.getByLabel('Group', { exact: true }).selectOption({ label: 'All groups' });
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–3 of 3');
  expect((await shown(page)).rows.map((row) => row.email)).toEqual(people.slice(0, 3).map((p) => p.email));

  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' });
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–1 of 1');
  expect((await shown(page)).rows.map((row) => row.email)).toEqual([ada.email]);

  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'All roles' });
  await page.getByLabel('Resource kind').selectOption({ label: 'Workspace constants' });
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–1 of 1');
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–25 of 31');
  view = await shown(page);
  expect(view.headings).toEqual(['LEDGER_KEY (workspace constant)']);

  await page.getByLabel('Resource kind').selectOption({ label: 'Apps' });
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–10 of 12');
  // A new filter starts from the first page.
  await page.getByRole('button', { name: 'Next resources' }).click();
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 11–12 of 12');
  await page.getByLabel('Resource kind').selectOption({ label: 'Data sources' });
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–1 of 1');
  expect((await shown(page)).headings).toEqual(['Warehouse (data source)']);
  expect(await levelOf(page, people[1].email, 'Warehouse (data source)')).toBe('Configure');
  expect(await levelOf(page, people[10].email, 'Warehouse (data source)')).toBe('None');
});

test('a cell explains itself on focus and hover, in the words of Effective permissions', async ({ page }) => {
  await signIn(page);
  await openMatrix(page);
  const auditor = people[3];
  const heading = 'LEDGER_KEY (workspace constant)';
  const focused = await cell(page, auditor.email, heading);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toHaveCount(0);
  await focused.focus();
  await expect(tooltip).toBeVisible();
  const reasons = await tooltip.getByRole('listitem').allTextContents();
  expect(reasons).toEqual([`View: LEDGER_KEY: View on chosen workspace constants (${group})`]);
  await expect(focused).toHaveAccessibleDescription(reasons.join(' '));

  // Pointing at another cell shows its reasons instead: an Admin can do everything.
  await focused.blur();
  await (await cell(page, ada.email, 'Tool 01 (app)')).hover();
  await expect(tooltip).toHaveCount(1);
  await expect(tooltip.getByRole('listitem')).toHaveText([
    'View: Admins can do everything (Admin)',
    'Edit: Admins can do everything (Admin)',
    'Delete: Admins can do everything (Admin)',
  ]);
  // No access says so.
  await page.mouse.move(0, 0);
  const none = await cell(page, people[5].email, heading);
  await none.focus();
  await expect(tooltip).toHaveText('No access');

  // The same member's Effective permissions on the Users page give the same reasons.
  await page.goto(`${base}/settings/users`);
  await expect(page.getByRole('button', { name: 'Add users' })).toBeEnabled();
  await page.getByRole('button', { name: `More actions for ${auditor.email}` }).click();
  await page.getByRole('button', { name: 'Effective permissions', exact: true }).click();
  const explained = page.getByRole('dialog', { name: `Effective permissions of ${auditor.email}` });
  const row = explained.getByRole('row', { name: new RegExp(`^${heading.replace(/[()]/g, '\\$&')}`) });
  await expect(row.getByRole('listitem')).toHaveText(reasons);
  // And an app's, for a Builder: the same lines in the same order.
  await explained.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: `More actions for ${people[1].email}` }).click();
  await page.getByRole('button', { name: 'Effective permissions', exact: true }).click();
  const builderExplained = page.getByRole('dialog', { name: `Effective permissions of ${people[1].email}` });
  const toolRow = builderExplained.getByRole('row', { name: /^Tool 01 \(app\)/ });
  await expect(toolRow.getByRole('listitem')).toHaveCount(3);
  const builderReasons = await toolRow.getByRole('listitem').allTextContents();
  await builderExplained.getByRole('button', { name: 'Close' }).click();
  await openMatrix(page);
  await (await cell(page, people[1].email, 'Tool 01 (app)')).focus();
  await expect(page.getByRole('tooltip').getByRole('listitem')).toHaveText(builderReasons);
});

test('the CSV export is the matrix the page shows, filters and all', async ({ page }) => {
  await signIn(page);
  await openMatrix(page);
  const records = await exportCsv(page);
  expect(records[0]).toEqual(['Member', 'Email', ...resourceHeadings]);
  expect(records).toHaveLength(32);

  // Every page of the matrix, both sides, against the file.
  const fromPages = new Map<string, Map<string, string>>();
  for (const membersPage of [0, 1]) {
    for (const resourcesPage of [0, 1]) {
      const view = await shown(page);
      for (const row of view.rows) {
        const levels = fromPages.get(row.email) ?? new Map<string, string>();
        view.headings.forEach((heading, index) => levels.set(heading, row.levels[index]));
        fromPages.set(row.email, levels);
      }
      if (resourcesPage === 0) {
        await page.getByRole('button', { name: 'Next resources' }).click();
        await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 11–15 of 15');
      } else {
        await page.getByRole('button', { name: 'Previous resources' }).click();
        await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–10 of 15');
      }
    }
    if (membersPage === 0) {
      await page.getByRole('button', { name: 'Next members' }).click();
      await expect(pagerStatus(page, 'Members')).toHaveText('Members 26–31 of 31');
    }
  }
  expect(fromPages.size).toBe(31);
  for (const [name, email, ...levels] of records.slice(1)) {
    const onPage = fromPages.get(email);
    expect(onPage, `${email} on the pages`).toBeDefined();
    expect(name).toBe(email === ada.email ? ada.name : people.find((p) => p.email === email)!.name);
    expect(levels).toEqual(resourceHeadings.map((heading) => onPage!.get(heading)));
  }
  expect(records.slice(1).map((record) => record[1])).toEqual([ada.email, ...people.map((p) => p.email)]);

  // With filters, the export keeps what the page keeps.
  await page.getByLabel('Group', { exact: true }).selectOption({ label: group });
  await page.getByLabel('Resource kind').selectOption({ label: 'Workspace constants' });
  await expect(pagerStatus(page, 'Members')).toHaveText('Members 1–3 of 3');
  await expect(pagerStatus(page, 'Resources')).toHaveText('Resources 1–1 of 1');
  const filtered = await exportCsv(page);
  const view = await shown(page);
  expect(filtered).toEqual([
    ['Member', 'Email', ...view.headings],
    ...view.rows.map((row) => [row.name, row.email, ...row.levels]),
  ]);
  expect(filtered).toEqual([
    ['Member', 'Email', 'LEDGER_KEY (workspace constant)'],
    [people[0].name, people[0].email, 'Edit'],
    [people[3].name, people[3].email, 'View'],
    [people[4].name, people[4].email, 'View'],
  ]);
});
