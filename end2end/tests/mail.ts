import { type Page } from '@playwright/test';
import { expect } from './fixtures';

/** The mails the local SMTP server (scripts/e2e.sh starts it) received for `email`, oldest first. */
export async function mailsTo(page: Page, email: string) {
  const sink = process.env.SMTP_SINK_URL;
  expect(sink, 'scripts/e2e.sh starts the SMTP sink').toBeTruthy();
  const messages: { to: string; subject: string; text: string }[] = await (
    await page.request.get(`${sink}/messages`)
  ).json();
  return messages.filter((message) => message.to.includes(email));
}

/** The invitation link in a mail's text. */
export function linkIn(text: string) {
  return text.match(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/)?.[0] ?? '';
}
