#!/usr/bin/env node
// A tiny application to put behind claimgate: it shows the identity headers it received and the claims of
// the identity token, verified against claimgate's published keys.
//   CLAIMGATE=http://localhost:3000 PORT=8080 node examples/whoami.mjs
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const claimgate = process.env.CLAIMGATE ?? 'http://localhost:3000';
const port = Number(process.env.PORT ?? 8080);
const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', claimgate));
const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

createServer(async (req, res) => {
  const token = req.headers['x-claimgate-identity'];
  let verified;
  try {
    verified = token ? (await jwtVerify(token, keys, { issuer: process.env.ISSUER ?? claimgate })).payload : undefined;
  } catch (error) {
    verified = { error: error.code ?? error.message };
  }
  const headers = Object.entries(req.headers).filter(([name]) => name.startsWith('x-claimgate-') && name !== 'x-claimgate-identity');
  const rows = headers.map(([name, value]) => `<tr><th>${escape(name)}</th><td>${escape(decodeURIComponent(value))}</td></tr>`).join('');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>whoami</title></head><body>
<h1>whoami</h1><p>Path: <code>${escape(req.url)}</code></p>
<h2>Identity headers</h2><table id="headers">${rows}</table>
<h2>Verified identity token</h2><pre id="claims">${escape(JSON.stringify(verified ?? null, null, 2))}</pre>
</body></html>`);
}).listen(port, () => console.log(`whoami on http://127.0.0.1:${port}, trusting ${claimgate}`));
