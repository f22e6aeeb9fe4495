import { readFile } from 'node:fs/promises';
import { type Locator, type Page } from '@playwright/test';
import { parseCsv } from './csv';
import { expect, test } from './fixtures';
import { createGroup, openGroups } from './groups';
import { admin, signIn } from './people';

/**
 * The audit log: Ada reads TechCorp's events under Workspace settings, filters them,
 * pages through them, exports them as CSV and NDJSON and reads the files back; as a
 * super admin she finds those exports in the instance-wide log under Settings and sets
 * how long events are kept. The tests run in order and build on each other.
 */
test.describe.configure({ mode: 'serial' });

const logPath = `/${admin.slug}/settings/audit-log`;
const prefix = 'Ledger';
/** 55 groups: more than the 50 events of one page. */
const groupNames = Array.from({ length: 55 }, (_, index) => `${prefix} ${String(index + 1).padStart(2, '0')}`);
const today = new Date().toISOString().slice(0, 10);

async function openLog(page: Page, path = logPath) {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply filters' })).toBeEnabled();
  await expect(page.getByRole('button', { name: /events/ }).first()).toBeVisible();
}

function events(page: Page): Locator {
  return page.getByRole('table', { name: /^Events of this/ });
}

/** The "What happened" cell of every row on the page. */
async function sentences(page: Page): Promise<string[]> {
  return events(page).getByRole('row').locator('td:nth-child(7)').allTextContents();
}

async function applyFilters(page: Page, filters: { action?: string; actor?: string; target?: string; from?: string; to?: string }) {
  if (filters.action !== undefined) await page.getByLabel('Action', { exact: true }).selectOption({ label: filters.action });
  if (filters.actor !== undefined) await page.getByLabel("Actor's email").fill(filters.actor);
  if (filters.target !== undefined) await page.getByLabel("Target's email").fill(filters.target);
  if (filters.from !== undefined) await page.getByLabel('From (UTC)').fill(filters.from);
  if (filters.to !== undefined) await page.getByLabel('To (UTC)').fill(filters.to);
  await page.getByRole('button', { name: 'Apply filters' }).click();
}

async function download(page: Page, button: 'Export CSV' | 'Export NDJSON') {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const file = await downloading;
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('admins read their workspace events as sentences, filtered and a page at a time', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await openGroups(page);
  await createGroup(page, groupNames[0]);
  // The other groups through the same server function the dialog calls, to be quick.
  for (const name of groupNames.slice(1)) {
    const reply = await page.request.post('/api/groups/create', { form: { slug: admin.slug, name } });
    expect(reply.ok(), await reply.text()).toBeTruthy();
  }

  await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(new RegExp(`${logPath}$`));
  await openLog(page);
  const newest = await sentences(page);
  expect(newest.length).toBe(50);
  expect(newest[0]).toBe(`${admin.fullName} created a group: ${groupNames[54]}`);
  await expect(events(page).getByRole('row').nth(1)).toContainText(admin.email);

  await applyFilters(page, { action: 'Group created', actor: admin.email, from: today, to: today });
  await expect(page.getByRole('button', { name: 'Newer events' })).toBeDisabled();
  const first = await sentences(page);
  expect(first).toEqual(groupNames.slice(5).reverse().map((name) => `${admin.fullName} created a group: ${name}`));
  await page.getByRole('button', { name: 'Older events' }).click();
  await expect(page.getByRole('button', { name: 'Newer events' })).toBeEnabled();
  const second = await sentences(page);
  expect(second.slice(0, 5)).toEqual(groupNames.slice(0, 5).reverse().map((name) => `${admin.fullName} created a group: ${name}`));
  await page.getByRole('button', { name: 'Newer events' }).click();
  await expect(page.getByRole('button', { name: 'Newer events' })).toBeDisabled();
  expect(await sentences(page)).toEqual(first);

  // Someone else's actions, another day, a category.
  await applyFilters(page, { actor: 'nobody@techcorp.example' });
  await expect(page.getByText('No events match these filters.')).toBeVisible();
  await applyFilters(page, { actor: '', from: '2001-01-01', to: '2001-01-31' });
  await expect(page.getByText('No events match these filters.')).toBeVisible();
  await applyFilters(page, { action: 'All groups and permissions', from: '', to: '' });
  await expect(events(page).getByRole('row').nth(1)).toContainText('Group created');

  // A reversed range is refused, and says why.
  await applyFilters(page, { from: '2026-05-02', to: '2026-05-01' });
  await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveText('The From date is after the To date.');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(events(page)).toBeVisible();
});

test('the filtered events export as CSV and NDJSON, and each export is itself audited', async ({ page }) => {
  await signIn(page);
  await openLog(page);
  await applyFilters(page, { action: 'Group created', actor: admin.email });
  const shown = await sentences(page);

  const csv = await download(page, 'Export CSV');
  expect(csv.name).toBe(`audit-log-${admin.slug}.csv`);
  const [header, ...rows] = parseCsv(csv.text);
  expect(header).toContain('What happened');
  const what = header.indexOf('What happened');
  expect(rows.map((row) => row[what]).slice(0, shown.length)).toEqual(shown);
  const ledger = rows.filter((row) => row[what].includes(`created a group: ${prefix} `));
  expect(ledger.length).toBe(55);
  expect(rows.every((row) => row[header.indexOf('Action key')] === 'group.created')).toBe(true);

  const ndjson = await download(page, 'Export NDJSON');
  expect(ndjson.name).toBe(`audit-log-${admin.slug}.ndjson`);
  const lines = ndjson.text.trim().split('\n').map((line) => JSON.parse(line));
  expect(lines.map((line) => line.sentence)).toEqual(rows.map((row) => row[what]));
  expect(lines[0].actor.email).toBe(admin.email);

  await applyFilters(page, { action: 'Audit log exported' });
  expect((await sentences(page)).slice(0, 2)).toEqual([
    `${admin.fullName} exported the audit log: ndjson (actor=${admin.email}, action=group.created)`,
    `${admin.fullName} exported the audit log: csv (actor=${admin.email}, action=group.created)`,
  ]);
});

test('super admins read every workspace in Settings and choose how long events are kept', async ({ page }) => {
  await signIn(page);
  await page.goto('/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
  await openLog(page, '/settings/audit-log');
  await expect(events(page)).toBeVisible();
  await page.getByRole('form', { name: 'Filter events' }).getByLabel('Workspace').selectOption({ label: admin.workspace });
  await applyFilters(page, { action: 'Audit log exported' });
  await expect(events(page).getByRole('row').nth(1)).toContainText(admin.workspace);
  await expect(events(page).getByRole('row').nth(1)).toContainText(`${admin.fullName} exported the audit log: ndjson`);

  const retention = page.getByLabel('Keep events for (days)');
  await retention.fill('0');
  await page.getByRole('button', { name: 'Save retention' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveText('Keep audit events for 1 to 36500 days, or forever.');
  await expect(retention).toHaveValue('0');
  await retention.fill('400');
  await page.getByRole('button', { name: 'Save retention' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'kept' })).toHaveText('Audit events are kept for 400 days.');
  await page.reload();
  await expect(page.getByLabel('Keep events for (days)')).toHaveValue('400');
  await page.getByLabel('Keep events for (days)').fill('');
  await page.getByRole('button', { name: 'Save retention' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'kept' })).toHaveText('Audit events are kept forever.');
});

// The groups made for their events go again, so that later files find the workspace's
// groups as they left them.
test.afterAll(async ({ browser }, testInfo) => {
  const page = await browser.newPage({ baseURL: testInfo.project.use.baseURL });
  await signIn(page);
  const reply = await page.request.post('/api/groups/list', { form: { slug: admin.slug } });
  expect(reply.ok(), await reply.text()).toBeTruthy();
  const groups: { id: number; name: string }[] = await reply.json();
  for (const group of groups.filter((group) => group.name.startsWith(`${prefix} `))) {
    const deleted = await page.request.post('/api/groups/delete', {
      form: { slug: admin.slug, group_id: String(group.id) },
    });
    expect(deleted.ok(), await deleted.text()).toBeTruthy();
  }
  await page.close();
});
