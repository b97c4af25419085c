// One investor's view for the database scenarios (db_stall.sh, disk_full.sh; lib.sh's
// chaos_probe), as one-shot commands:
//   node investor_probe.mjs login FILE       logs in (OTP from the file sink) a client the
//                                            load generator does not use and saves its
//                                            cookie, CSRF token and a position to FILE
//   node investor_probe.mjs square-off FILE  one square-off of one lot of that position with
//                                            a fresh Idempotency-Key; prints "STATUS MS ERROR"
//                                            (STATUS 0: no answer within 10 s)
// Environment: IRRA_URL, IRRA_NOTIFY_FILE, CHAOS_DUMP (the dump folder: clients.csv).

import fs from 'node:fs';
import path from 'node:path';
import { Investor, lotOf } from '../api/lib.mjs';
import { parseCsv } from '../api/csv.mjs';

const [cmd, file] = process.argv.slice(2);

if (cmd === 'login') {
  const clients = parseCsv(fs.readFileSync(path.join(process.env.CHAOS_DUMP, 'clients.csv'), 'utf8'))
    .filter((c) => c.eligible === 'Y')
    .sort((a, b) => (a.ucc < b.ucc ? -1 : 1));
  // The load generator takes every (n/12)th client from the first; the second and third
  // are never among them for a dump of more than 24 clients.
  for (const c of clients.slice(1, 4)) {
    const inv = new Investor(c.ucc, '127.0.2.10');
    await inv.login();
    const p = (await inv.list('positions')).find((x) => x.net_qty !== 0 && x.squareoff_qty >= lotOf(x));
    if (!p) continue;
    fs.writeFileSync(file, JSON.stringify({ ucc: c.ucc, ip: inv.ip, cookie: inv.cookie, csrf: inv.csrf,
      instrument: p.instrument, product: p.product, qty: lotOf(p), n: 0 }));
    console.log(`logged in ${c.ucc}; position ${p.instrument} ${p.product} ${p.net_qty}`);
    process.exit(0);
  }
  console.error('no client with a position to square off');
  process.exit(1);
} else if (cmd === 'square-off') {
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  s.n += 1;
  fs.writeFileSync(file, JSON.stringify(s));
  const inv = new Investor(s.ucc, s.ip);
  inv.cookie = s.cookie;
  inv.csrf = s.csrf;
  const t0 = performance.now();
  let status = 0;
  let error = '';
  try {
    const r = await inv.post('/api/v1/positions/square-off',
      { instrument: s.instrument, product: s.product, qty: s.qty, order_type: 'MARKET' },
      { headers: { 'Idempotency-Key': `probe-${process.pid}-${s.n}` }, timeoutMs: 10000 });
    status = r.status;
    error = (r.json && (r.json.message || r.json.error)) || '';
  } catch (e) {
    error = String(e.message || e);
  }
  console.log(`${status} ${Math.round(performance.now() - t0)} ${error}`);
} else {
  console.error('usage: investor_probe.mjs login|square-off FILE');
  process.exit(2);
}
