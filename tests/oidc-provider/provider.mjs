// A real OpenID Connect provider for the single sign-on tests: panva's
// certified `oidc-provider` (discovery, authorization code with PKCE,
// RS256-signed ID tokens, JWKS, UserInfo), with a one-field login page in
// place of a real identity store. Started by tests/src/oidc.rs; prints
// `listening on <port>` once it accepts connections, and exits when its
// standard input closes (the test that started it is gone).
//
// Whoever signs in is the account named by what they type:
//   anything@domain            e-mail verified
//   unverified+...@domain      e-mail not verified
//   noemail+...                no e-mail address at all
// The name is the optional second field, else none.
//
// Clients (both `native`, so any loopback port is accepted, RFC 8252):
//   reservations / reservations-secret, redirected to
//   http://{127.0.0.1,localhost}/api/v1/auth/oidc/<id>/callback for each <id> in
//   OIDC_PROVIDER_IDS (comma-separated; default "local").

import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Installed outside the source tree (target/test-node), so found by path.
const modules = process.env.TEST_NODE_MODULES;
const { default: Provider, interactionPolicy } = await import(
  pathToFileURL(join(modules, 'oidc-provider/lib/index.js')).href
);

// A first-party client: no consent screen, not even the one native
// clients get by default.
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

const ids = (process.env.OIDC_PROVIDER_IDS || 'local').split(',');
const names = new Map();

function claimsOf(accountId) {
  const claims = { sub: accountId };
  if (!accountId.startsWith('noemail+')) {
    claims.email = accountId;
    claims.email_verified = !accountId.startsWith('unverified+');
  }
  if (names.has(accountId)) {
    claims.name = names.get(accountId);
  }
  return claims;
}

const configuration = {
  clients: [{
    client_id: 'reservations',
    client_secret: 'reservations-secret',
    application_type: 'native',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // 127.0.0.1 for the API tests; localhost for the browser journeys,
    // where the app is another site than the provider (as in production).
    redirect_uris: ids.flatMap((id) => ['127.0.0.1', 'localhost']
      .map((host) => `http://${host}/api/v1/auth/oidc/${id}/callback`)),
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async findAccount(ctx, accountId) {
    return { accountId, claims: async () => claimsOf(accountId) };
  },
  // Our own login page below instead of the library's development one.
  features: { devInteractions: { enabled: false } },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['test-only-cookie-key'] },
  pkce: { required: () => true },
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test Identity Provider</title>
<style>body{font-family:sans-serif;max-width:26rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0;font-size:1rem}input{width:100%;padding:.4rem}</style>
</head><body>
<h1>Test Identity Provider</h1>
<p>Sign in to <b>${escape(clientId)}</b>.</p>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">E-mail</label><input id="login" name="login" autofocus required>
<label for="name">Name</label><input id="name" name="name">
<button id="sign-in" type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<button id="cancel" type="submit">Cancel</button>
</form>
</body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
  }
  return new URLSearchParams(body);
}

let provider;

async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, 'http://x').pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    res.writeHead(400).end('interaction mismatch');
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, details.params.client_id));
    return;
  }
  const form = await readForm(req);
  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'the user cancelled',
    }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = (form.get('login') || '').trim();
  if (!accountId) {
    res.writeHead(400).end('login required');
    return;
  }
  const name = (form.get('name') || '').trim();
  if (name) {
    names.set(accountId, name);
  }
  await provider.interactionFinished(req, res, { login: { accountId } }, {
    mergeWithLastSubmission: false,
  });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) {
        res.writeHead(500).end(String(error));
      }
    });
    return;
  }
  provider.callback()(req, res);
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const { port } = server.address();
  provider = new Provider(`http://127.0.0.1:${port}`, configuration);
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  console.log(`listening on ${port}`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
