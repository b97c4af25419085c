'use strict';
// The baseline of scripts/bench-http (quality.md, "Speed and scale": "the same, against the
// original plan's stack"): a minimal Node.js/Express server doing what IRRA does for
// GET /api/v1/positions — read the session cookie, look the session up in memory (expiry
// checked, last use recorded), answer the client's positions as JSON serialised per request.
//
//   node server.js --data FILE --port P --cert FILE --key FILE [--host 127.0.0.1]
//                  [--ciphers LIST] [--cluster [N]]
//
// FILE: {"sessions": [{"token", "ucc"}], "positions": {ucc: [position, ...]},
// "idle_timeout_s", "absolute_timeout_s"} — written by bench-http from the sessions it logged
// in to IRRA and their answers, so both servers see the same cookies and send the same
// objects. --cluster runs N workers (default: one per core) behind node:cluster; without it,
// one process. Prints "listening" once every process accepts connections.

const cluster = require('node:cluster');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');

const SESSION_COOKIE = '__Host-irra_session';

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', ciphers: '', cluster: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--data': opts.data = value(); break;
      case '--port': opts.port = Number(value()); break;
      case '--host': opts.host = value(); break;
      case '--cert': opts.cert = value(); break;
      case '--key': opts.key = value(); break;
      case '--ciphers': opts.ciphers = value(); break;
      case '--cluster':
        opts.cluster = /^[0-9]+$/.test(argv[i + 1] || '') ? Number(argv[++i]) : os.cpus().length;
        break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  for (const k of ['data', 'port', 'cert', 'key']) {
    if (!opts[k]) throw new Error(`--${k} is required`);
  }
  return opts;
}

// The value of cookie NAME in a Cookie header, or undefined (as the cookie package parses it,
// for one name).
function cookieValue(header, name) {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      return header.slice(eq + 1, end).trim();
    }
    start = end + 1;
  }
  return undefined;
}

// In-memory session store: token -> {ucc, expiry, last_seen}, as a real store keeps them.
class SessionStore {
  constructor(idleMs) {
    this.sessions = new Map();
    this.idleMs = idleMs;
  }

  add(token, ucc, expiry, now) {
    this.sessions.set(token, { ucc, expiry, last_seen: now });
  }

  // The live session of TOKEN (its last use now recorded), or null.
  find(token, now) {
    const s = token === undefined ? undefined : this.sessions.get(token);
    if (!s) return null;
    if (now >= s.expiry || now - s.last_seen >= this.idleMs) {
      this.sessions.delete(token);
      return null;
    }
    s.last_seen = now;
    return s;
  }
}

function load(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const now = Date.now();
  const store = new SessionStore((data.idle_timeout_s || 1800) * 1000);
  const expiry = now + (data.absolute_timeout_s || 43200) * 1000;
  for (const s of data.sessions) store.add(s.token, s.ucc, expiry, now);
  const positions = new Map(Object.entries(data.positions));
  return { store, positions };
}

// The security headers IRRA sends with every answer, so that both answers are alike.
const securityHeaders = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function serve(opts) {
  const express = require('express');
  const { store, positions } = load(opts.data);
  const app = express();
  // IRRA computes no ETag and names no server software.
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.use((req, res, next) => {
    res.set(securityHeaders);
    next();
  });

  app.get('/api/v1/positions', (req, res) => {
    const session = store.find(cookieValue(req.headers.cookie, SESSION_COOKIE), Date.now());
    if (!session) {
      res.status(401).json({
        error: 'unauthorized',
        message: 'Please log in (no session, or it has expired).',
      });
      return;
    }
    res.json(positions.get(session.ucc) || []);
  });
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such resource' });
  });

  // TLS 1.3 suites go in the same list (node splits it); OpenSSL's defaults, as nginx uses.
  const tls13 = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
  const server = https.createServer({
    key: fs.readFileSync(opts.key),
    cert: fs.readFileSync(opts.cert),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: opts.ciphers ? `${tls13}:${opts.ciphers}` : undefined,
    honorCipherOrder: false,
    ALPNProtocols: ['http/1.1'],
  }, app);
  // Keep-alive connections stay open for a whole run: no re-handshake mid-run.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.listen(opts.port, opts.host, () => {
    if (cluster.isWorker) process.send({ listening: true });
    else console.log(`listening on ${opts.host}:${opts.port} (1 process)`);
  });
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`server.js: ${e.message}`);
    process.exit(2);
  }
  if (opts.cluster > 0 && cluster.isPrimary) {
    let ready = 0;
    let stopping = false;
    // SIGTERM stops the workers, then the primary once they are gone (at most 2 s).
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
      setTimeout(() => process.exit(0), 2000).unref();
    };
    cluster.on('exit', (w, code, signal) => {
      if (!stopping) {
        console.error(`worker ${w.process.pid} exited (${signal || code}); stopping`);
        process.exitCode = 1;
        stop();
      }
      if (Object.keys(cluster.workers).length === 0) process.exit();
    });
    for (let i = 0; i < opts.cluster; i++) {
      cluster.fork().on('message', (m) => {
        if (m && m.listening && ++ready === opts.cluster) {
          console.log(`listening on ${opts.host}:${opts.port} (${opts.cluster} workers)`);
        }
      });
    }
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  serve(opts);
}

main();
