// Makes a generated dump carry a few F&O positions above their instrument's freeze
// quantity (the generator never writes one), so a square-off must be sliced: the last few
// eligible clients' first F&O position becomes freeze_qty + 2 lots (sign kept). The
// manifest's checksum of positions.csv is written again, so the dump stays valid.
//
//   node amend_dump.mjs DUMP_DIR      prints the amended positions as JSON lines

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { parseCsv } from './csv.mjs';

const dir = process.argv[2];
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const instruments = new Map(parseCsv(read('instruments.csv')).map((i) => [i.instrument_id, i]));
const eligible = new Set(parseCsv(read('clients.csv')).filter((c) => c.eligible === 'Y').map((c) => c.ucc));

const text = read('positions.csv');
const lines = text.split('\n');
const header = lines[0].split(',');
const col = Object.fromEntries(header.map((h, i) => [h, i]));
const wanted = 4;
const done = new Set();
const amended = [];
// Latest clients first: the demo clients at the top of the file stay as generated.
for (let n = lines.length - 1; n >= 1 && done.size < wanted; n--) {
  if (!lines[n]) continue;
  const f = lines[n].split(',');  // generated rows carry no quoted commas in these columns
  const ucc = f[col.ucc];
  if (done.has(ucc) || !eligible.has(ucc)) continue;
  const ins = instruments.get(f[col.instrument_id]);
  if (!ins || ins.segment !== 'FO') continue;
  const lot = Number(ins.lot_size);
  const freeze = Number(ins.freeze_qty);
  const qty = (Math.floor(freeze / lot) + 2) * lot;
  const sign = Number(f[col.net_qty]) < 0 ? -1 : 1;
  f[col.net_qty] = String(sign * qty);
  lines[n] = f.join(',');
  done.add(ucc);
  amended.push({ ucc, instrument: f[col.instrument_id], product: f[col.product], net_qty: sign * qty, freeze_qty: freeze, lot_size: lot });
}
const out = lines.join('\n');
fs.writeFileSync(path.join(dir, 'positions.csv'), out);
const manifest = JSON.parse(read('manifest.json'));
manifest.files['positions.csv'].sha256 = crypto.createHash('sha256').update(out).digest('hex');
fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const a of amended) console.log(JSON.stringify(a));
