// A TCP relay between IRRA and the exchange simulator that can turn a FIX connection into a
// real half-open one from IRRA's side (test/chaos/exchange_faults.sh, fault "blackhole"):
// the simulator's own half-open fault lets the simulator end the session for silence first,
// so IRRA's Heartbeat/TestRequest detection would never be what recovers. Here the exchange
// side is closed and IRRA's side is kept open but silent (nothing read is forwarded, nothing
// is written, no FIN) for SECONDS: only IRRA's own silence detection can end it.
//
//   node blackhole.mjs LISTEN_PORT UPSTREAM_PORT CONTROL_PORT
//   POST http://127.0.0.1:CONTROL_PORT/freeze?session=dc|oe|md&seconds=T
//        -> 200 {"frozen": N} (connections of that session, found by TargetCompID EXCH-XX)

import net from 'node:net';
import http from 'node:http';

const [listenPort, upstreamPort, controlPort] = process.argv.slice(2).map(Number);
const pairs = new Set();

net.createServer((down) => {
  const up = net.connect(upstreamPort, '127.0.0.1');
  const pair = { down, up, session: null, frozen: false };
  pairs.add(pair);
  const end = () => {
    pairs.delete(pair);
    down.destroy();
    up.destroy();
  };
  down.on('data', (b) => {
    if (pair.frozen) return; // read and dropped: IRRA's writes succeed, nothing arrives
    if (!pair.session) {
      const m = /\x0156=EXCH-(DC|OE|MD)\x01/.exec(b.toString('latin1'));
      if (m) pair.session = m[1].toLowerCase();
    }
    up.write(b);
  });
  up.on('data', (b) => {
    if (!pair.frozen) down.write(b);
  });
  down.on('error', end);
  down.on('close', end);
  up.on('error', () => { if (!pair.frozen) end(); });
  up.on('close', () => { if (!pair.frozen) end(); });
}).listen(listenPort, '127.0.0.1');

http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (req.method !== 'POST' || u.pathname !== '/freeze') {
    res.writeHead(404).end('{"error":"not_found"}');
    return;
  }
  const session = u.searchParams.get('session');
  const seconds = Number(u.searchParams.get('seconds') || 10);
  let n = 0;
  for (const p of pairs) {
    if (p.session !== session || p.frozen) continue;
    n += 1;
    p.frozen = true;
    p.up.destroy(); // the exchange sees the connection go; IRRA sees nothing at all
    setTimeout(() => { pairs.delete(p); p.down.destroy(); }, seconds * 1000);
  }
  res.writeHead(n ? 200 : 409, { 'Content-Type': 'application/json' }).end(JSON.stringify({ frozen: n }));
}).listen(controlPort, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
