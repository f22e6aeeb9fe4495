import { type Browser, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { asInvitee, copyLink, invite, joinWith, openUsers } from './members';
import { admin, signIn } from './people';

/**
 * Released apps: Sophie, a builder, changes an app's draft and releases it; Emmy, an
 * end-user, sees only what was released, never the draft. The tests run in order and
 * build on each other.
 */
test.describe.configure({ mode: 'serial' });

const sophie = { name: 'Sophie Germain', email: 'sophie@techcorp.example', password: 'elastic surfaces' };
const emmy = { name: 'Emmy Noether', email: 'emmy@techcorp.example', password: 'symmetry conserved' };
const first = 'Prize list v1 for {{globals.currentUser.name}}';
const second = 'Prize list v2 for {{globals.currentUser.name}}';
let appUrl = '';

async function signedInAs(browser: Browser, person: { email: string; password: string }) {
  const session = await asInvitee(browser);
  await signIn(session.page, person.email, person.password);
  return session;
}

/** The app's editor, once it can be used. */
async function openEditor(page: Page) {
  await page.goto(`${appUrl}/edit`);
  await expect(page.getByRole('button', { name: 'Save' })).toBeEnabled();
}

async function saveDraft(page: Page, body: string) {
  await page.getByLabel('Body').fill(body);
  await expect(page.getByRole('button', { name: 'Release' })).toBeDisabled();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').first()).toHaveText('The app has been saved.');
}

async function release(page: Page, version: number, notes: string) {
  await page.getByRole('button', { name: 'Release' }).click();
  const dialog = page.getByRole('dialog', { name: `Release version ${version}` });
  await dialog.getByLabel('Release notes').fill(notes);
  await dialog.getByRole('button', { name: 'Release' }).click();
  await expect(page.getByRole('status').first()).toHaveText(`Version ${version} has been released. Viewers see it now.`);
}

function version(page: Page, number: number) {
  return page
    .getByRole('region', { name: 'Versions' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: `v${number}`, exact: true }) });
}

async function expectViewerSees(viewer: Page, text: string) {
  await viewer.goto(appUrl);
  await expect(viewer.getByLabel('Rendered app')).toHaveText(text);
}

test('a builder drafts an app that end-users see only once it is released', async ({ page, browser }) => {
  await signIn(page);
  await openUsers(page);
  await invite(page, { name: sophie.name, email: sophie.email, role: 'Builder' });
  await invite(page, { name: emmy.name, email: emmy.email });
  const sophieLink = await copyLink(page, sophie.email);
  const emmyLink = await copyLink(page, emmy.email);

  const editor = await asInvitee(browser);
  await joinWith(editor.page, sophieLink, sophie.name, sophie.password);
  await editor.page.getByRole('button', { name: 'Create app' }).click();
  const create = editor.page.getByRole('dialog', { name: 'Create app' });
  await create.getByLabel('Name').fill('Prize board');
  await create.getByRole('button', { name: 'Create app' }).click();
  await expect(editor.page).toHaveURL(new RegExp(`/${admin.slug}/apps/\\d+/edit$`));
  appUrl = editor.page.url().replace(/\/edit$/, '');
  await expect(editor.page.getByRole('button', { name: 'Save' })).toBeEnabled();

  // The preview renders the draft on the server, with Sophie's own globals.
  await saveDraft(editor.page, first);
  await expect(editor.page.getByLabel('Preview of the app')).toHaveText(`Prize list v1 for ${sophie.name}`);
  await expect(editor.page.getByRole('region', { name: 'Release' })).toContainText('Not released yet');
  await expect(editor.page.getByRole('region', { name: 'Versions' })).toContainText('No versions yet.');

  // Its page says so too, and the dashboard marks it as a draft.
  await editor.page.getByRole('link', { name: 'View app' }).click();
  await expect(editor.page.getByText('Not released yet.')).toBeVisible();
  await expect(editor.page.getByRole('link', { name: 'Open the editor' })).toBeVisible();
  await editor.page.goto(`/${admin.slug}`);
  const listed = editor.page.getByRole('listitem').filter({ hasText: 'Prize board' });
  await expect(listed).toContainText('Draft only');
  await editor.context.close();

  const viewer = await asInvitee(browser);
  await joinWith(viewer.page, emmyLink, emmy.name, emmy.password);
  // Once the dashboard has loaded its apps, the draft isn't among them.
  await expect(viewer.page.getByText('Loading…')).toHaveCount(0);
  await expect(viewer.page.getByRole('link', { name: 'Prize board', exact: true })).toHaveCount(0);
  await viewer.page.goto(appUrl);
  await expect(viewer.page.getByRole('alert').filter({ hasText: "doesn't exist in this workspace" })).toBeVisible();
  await viewer.context.close();
});

test('viewers see the released version, whatever the draft becomes meanwhile', async ({ browser }) => {
  const editor = await signedInAs(browser, sophie);
  const viewer = await signedInAs(browser, emmy);
  await openEditor(editor.page);
  await release(editor.page, 1, 'First prize list');
  await expect(version(editor.page, 1)).toContainText(sophie.name);
  await expect(version(editor.page, 1)).toContainText('First prize list');
  await expect(editor.page.getByRole('region', { name: 'Release' })).toContainText(
    `Viewers see version 1, released by ${sophie.name}`,
  );
  await expectViewerSees(viewer.page, `Prize list v1 for ${emmy.name}`);
  await expect(viewer.page.getByRole('link', { name: 'Edit app' })).toHaveCount(0);

  // A saved change stays in the draft until it is released.
  await saveDraft(editor.page, second);
  await expect(editor.page.getByLabel('Preview of the app')).toHaveText(`Prize list v2 for ${sophie.name}`);
  await expectViewerSees(viewer.page, `Prize list v1 for ${emmy.name}`);

  await release(editor.page, 2, 'Second prize list');
  await expectViewerSees(viewer.page, `Prize list v2 for ${emmy.name}`);
  await viewer.page.goto(`/${admin.slug}`);
  await expect(viewer.page.getByRole('link', { name: 'Prize board', exact: true })).toBeVisible();
  await editor.context.close();
  await viewer.context.close();
});

test('restoring a version makes it the draft again while viewers keep the released one', async ({ browser }) => {
  const editor = await signedInAs(browser, sophie);
  const viewer = await signedInAs(browser, emmy);
  await openEditor(editor.page);
  await expect(editor.page.getByLabel('Body')).toHaveValue(second);

  await version(editor.page, 1).getByRole('button', { name: 'Restore as draft' }).click();
  const confirm = editor.page.getByRole('dialog', { name: 'Restore as draft' });
  await expect(confirm).toContainText('Viewers keep the version they see until the next release.');
  await confirm.getByRole('button', { name: 'Restore as draft' }).click();
  await expect(editor.page.getByRole('status').first()).toHaveText('Version 1 is the draft again.');
  await expect(editor.page.getByLabel('Body')).toHaveValue(first);
  await expect(editor.page.getByLabel('Preview of the app')).toHaveText(`Prize list v1 for ${sophie.name}`);
  await expect(editor.page.getByRole('region', { name: 'Release' })).toContainText('Viewers see version 2');

  await expectViewerSees(viewer.page, `Prize list v2 for ${emmy.name}`);
  // The editor stays closed to those who may only view the app.
  await viewer.page.goto(`${appUrl}/edit`);
  await expect(viewer.page.getByRole('alert').filter({ hasText: "You don't have permission to do that." })).toBeVisible();
  await expect(viewer.page.getByLabel('Body', { exact: true })).toHaveCount(0);
  await editor.context.close();
  await viewer.context.close();
});
