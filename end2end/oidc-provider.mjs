// A local OpenID Connect provider for the end-to-end tests of Gatehouse's single sign-on,
// built on oidc-provider (https://github.com/panva/node-oidc-provider).
//
//   OIDC_PORT=4011 \
//   OIDC_REDIRECT_URIS=http://127.0.0.1:3000/sso/test-idp/callback \
//   OIDC_POST_LOGOUT_URIS=http://127.0.0.1:3000/sign-in \
//   node end2end/oidc-provider.mjs
//
// It prints "oidc provider ready at <issuer>" once it listens. What it offers:
//
// - One confidential client, "gatehouse" / "gatehouse-test-secret" (client_secret_basic or
//   client_secret_post), authorization code flow only, with PKCE (S256) required.
// - Accounts held in memory and keyed by subject. The sign-in page is the library's
//   development form: any login name is accepted and becomes the subject ("ada"), any
//   password is accepted (the form requires one). Unknown subjects get a default account.
//   Consent is granted automatically, so a user only ever sees that one form.
// - Scopes and claims: openid → sub; email → email, email_verified; profile → name;
//   groups → groups and realm_access.roles (the same list, Keycloak-style, for testing a
//   nested claim path). These claims are in the ID token and at the userinfo endpoint.
// - The access token is opaque and valid at userinfo. A client that asks for the resource
//   indicator API_RESOURCE (RFC 8707 "resource" parameter, in the authorization and token
//   requests) gets a JWT access token with a groups claim instead, which userinfo refuses
//   (the library only accepts userinfo tokens without an audience).
// - RP-initiated logout (end_session_endpoint) without a confirmation click.
// - A test-control API under /test/:
//     PUT  /test/accounts/:sub  {email, email_verified, name, groups}  → 204
//     GET  /test/accounts/:sub                                         → the account or 404
//     POST /test/reset          forgets all accounts, sessions, grants and tokens → 204
import { generateKeyPairSync } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';
// The library's own in-memory storage, given a store we can empty on /test/reset.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const port = Number(process.env.OIDC_PORT ?? 4011);
const issuer = `http://127.0.0.1:${port}`;
const list = (value, fallback) => (value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const redirectUris = list(process.env.OIDC_REDIRECT_URIS, 'http://127.0.0.1:3000/sso/test-idp/callback');
const postLogoutUris = list(process.env.OIDC_POST_LOGOUT_URIS, 'http://127.0.0.1:3000/sign-in');

// The only resource server: ask for it to get a JWT access token (see above).
const API_RESOURCE = 'urn:gatehouse:test-api';

// --- Accounts --------------------------------------------------------------------------

/** @type {Map<string, {email: string, email_verified: boolean, name: string, groups: string[]}>} */
const accounts = new Map();

function accountFor(sub) {
  if (!accounts.has(sub)) {
    accounts.set(sub, { email: `${sub}@example.com`, email_verified: true, name: sub, groups: [] });
  }
  return accounts.get(sub);
}

// Every claim the account has; the library keeps those the granted scopes allow. Claims
// are read whenever a token is issued, so a PUT takes effect at the next sign-in.
function claimsOf(sub) {
  const { email, email_verified, name, groups } = accountFor(sub);
  return { sub, email, email_verified, name, groups, realm_access: { roles: groups } };
}

// --- Storage ---------------------------------------------------------------------------

// Sessions, interactions, grants, codes and tokens. A plain Map: nothing expires by itself,
// which is fine for a short test run (the library checks expiry when it loads a record).
const store = new Map();

// --- Signing key -----------------------------------------------------------------------

// A fresh RSA key per run: tokens are only ever checked against this run's JWKS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

// --- The provider ----------------------------------------------------------------------

const provider = new Provider(issuer, {
  adapter: (model) => new MemoryAdapter(model, store),
  jwks: { keys: [signingKey] },

  clients: [
    {
      client_id: 'gatehouse',
      client_secret: 'gatehouse-test-secret',
      // client_secret_post is accepted too: the library treats the two as interchangeable.
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutUris,
    },
  ],

  // By default the library only requires PKCE from public clients.
  pkce: { required: () => true },

  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => claimsOf(sub) };
  },

  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups', 'realm_access'],
  },
  // Put the claims of the granted scopes into the ID token too, not only at userinfo.
  conformIdTokenClaims: false,

  // Consent without a screen: every request of our client is granted what it asks for.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = (grantId && (await oidc.provider.Grant.find(grantId)))
      || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    grant.addOIDCClaims([...oidc.requestParamClaims]);
    for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
      grant.addResourceScope(indicator, server.scope);
    }
    await grant.save();
    return grant;
  },

  // Adds groups to access tokens (only visible in JWT ones; opaque ones just store them).
  async extraTokenClaims(_ctx, token) {
    return token.kind === 'AccessToken' && token.accountId
      ? { groups: accountFor(token.accountId).groups }
      : undefined;
  },

  // Signed cookies. They are not "Secure" over plain http, so http://127.0.0.1 works.
  // Cookies ignore ports, so Gatehouse on 127.0.0.1:3000 receives these too: give them
  // names it will not mistake for its own.
  cookies: {
    keys: ['gatehouse-test-oidc-cookie-key'],
    names: { session: 'test_op_session', interaction: 'test_op_interaction', resume: 'test_op_resume' },
  },

  features: {
    // The library's built-in sign-in form (it warns at startup that it is for development).
    devInteractions: { enabled: true },

    rpInitiatedLogout: {
      enabled: true,
      // The library asks "Do you want to sign-out?"; answer yes on the user's behalf: sign
      // out of the provider entirely (logout=yes) and go on to post_logout_redirect_uri.
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Signing out</title></head>
<body>
  ${form}
  <input type="hidden" name="logout" value="yes" form="op.logoutForm">
  <noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>
  <script>document.getElementById('op.logoutForm').submit();</script>
</body>
</html>`;
      },
    },

    resourceIndicators: {
      enabled: true,
      // No resource unless the client asks for one: the access token then stays opaque
      // and valid at userinfo.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      async getResourceServerInfo(_ctx, resource) {
        if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
        return { scope: 'api', audience: API_RESOURCE, accessTokenFormat: 'jwt' };
      },
    },
  },
});

// --- Test-control API ------------------------------------------------------------------

async function readJson(ctx) {
  let text = '';
  for await (const chunk of ctx.req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return ctx.throw(400, 'the body must be JSON');
  }
}

// Runs before the provider's own routes.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/test/')) return next();

  const account = ctx.path.match(/^\/test\/accounts\/([^/]+)$/);
  if (account && ctx.method === 'PUT') {
    const sub = decodeURIComponent(account[1]);
    const body = await readJson(ctx);
    accounts.set(sub, {
      email: String(body.email ?? `${sub}@example.com`),
      email_verified: Boolean(body.email_verified ?? true),
      name: String(body.name ?? sub),
      groups: Array.isArray(body.groups) ? body.groups.map(String) : [],
    });
    ctx.status = 204;
  } else if (account && ctx.method === 'GET') {
    const sub = decodeURIComponent(account[1]);
    if (accounts.has(sub)) ctx.body = { sub, ...accounts.get(sub) };
    else ctx.status = 404;
  } else if (ctx.path === '/test/reset' && ctx.method === 'POST') {
    accounts.clear();
    store.clear();
    ctx.status = 204;
  } else {
    ctx.status = 404;
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc provider ready at ${issuer}`);
});
