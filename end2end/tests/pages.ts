import { usersPage } from './members';
import { admin } from './people';

/** Every page a signed-in admin can open from the navigation. */
export const signedInPages = [
  `/${admin.slug}`,
  usersPage,
  `/${admin.slug}/settings/groups`,
  `/${admin.slug}/settings/access-matrix`,
  `/${admin.slug}/settings/access-tokens`,
  `/${admin.slug}/settings/provisioning`,
  `/${admin.slug}/settings/single-sign-on`,
  `/${admin.slug}/settings/audit-log`,
  `/${admin.slug}/settings/constants`,
  `/${admin.slug}/settings/data-sources`,
  '/profile',
  '/settings',
  '/settings/workspaces',
  '/settings/email-outbox',
  '/settings/single-sign-on',
  '/settings/audit-log',
];
