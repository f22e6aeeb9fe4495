import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createGroup, openGroups } from './groups';
import { openUsers, row } from './members';
import { signIn } from './people';

/**
 * An admin who uses no mouse: Tab, Shift+Tab, Enter, Space, Escape and typing only. Each
 * dialog takes focus when it opens, keeps it, closes on Escape and gives focus back to
 * the control that opened it; what happened is announced in a live region.
 */

/** The accessible name of the focused control, as a screen reader would say it. */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const focused = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
    const name =
      focused.getAttribute('aria-label') ?? focused.labels?.[0]?.textContent ?? focused.textContent ?? '';
    return name.trim();
  });
}

/** Presses Tab until the focused control is named `name`. */
async function tabTo(page: Page, name: string) {
  for (let presses = 0; presses < 400; presses++) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`Tab never reached a control named "${name}"`);
}

function focusIsInside(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((selector) => document.activeElement?.closest(selector) !== null, selector);
}

/** Tabs to the control named `control`, presses Enter and returns the dialog that opens
 * with the focus inside it. */
async function openWithKeyboard(page: Page, control: string, dialogName: string) {
  await tabTo(page, control);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: dialogName });
  await expect(dialog).toBeVisible();
  await expect.poll(() => focusIsInside(page, 'dialog[open]')).toBe(true);
  return dialog;
}

test('an admin invites a user, edits their role and adds them to a group with the keyboard alone', async ({ page }) => {
  await signIn(page);
  await openGroups(page);
  await createGroup(page, 'Keyboard night shift');
  await openUsers(page);
  const email = 'grace.keys@techcorp.example';

  // Invite.
  const addUsers = await openWithKeyboard(page, 'Add users', 'Add users');
  await tabTo(page, 'Full name');
  await page.keyboard.type('Grace Hopper');
  await tabTo(page, 'Email address');
  await page.keyboard.type(email);
  await tabTo(page, 'Invite users');
  await page.keyboard.press('Enter');
  await expect(addUsers).toBeHidden();
  await expect(page.getByRole('status').first()).toContainText(email);
  await expect.poll(() => focusedName(page)).toBe('Add users');

  // Edit the role and the groups in one go.
  await tabTo(page, `More actions for ${email}`);
  await page.keyboard.press('Enter');
  const edit = await openWithKeyboard(page, 'Edit user details', 'Edit user details');
  await tabTo(page, 'User role');
  // A focused select takes the first letters of an option, as a person types them.
  await page.keyboard.type('Builder');
  await expect(edit.getByLabel('User role')).toHaveValue('builder');
  await tabTo(page, 'Keyboard night shift');
  await page.keyboard.press('Space');
  await expect(edit.getByRole('checkbox', { name: 'Keyboard night shift' })).toBeChecked();
  await openWithKeyboard(page, 'Update', 'Edit user role');
  await tabTo(page, 'Continue');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').first()).toHaveText('The user has been updated.');
  await expect(row(page, email)).toContainText('Builder');
  await expect(row(page, email)).toContainText('Keyboard night shift');
});

test('a dialog keeps focus inside, closes on Escape and returns focus to its opener', async ({ page }) => {
  await signIn(page);
  await openUsers(page);
  const dialog = await openWithKeyboard(page, 'Add users', 'Add users');
  // However far focus travels, it stays in the dialog (the page behind is inert).
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press(presses % 3 === 2 ? 'Shift+Tab' : 'Tab');
    const onPage = await page.evaluate(() => document.activeElement !== document.body);
    if (onPage) expect(await focusIsInside(page, 'dialog[open]')).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The dialog hands focus back as it closes, which may come a moment after it hides.
  await expect.poll(() => focusedName(page)).toBe('Add users');
});
