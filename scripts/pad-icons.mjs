// Draws the PAD's home-screen icons (apps/pad/public/icons/icon-192.png and icon-512.png): a white smiling face on
// the page's blue, full bleed so that the icon also serves as a maskable one (the face stays inside the 80 % safe
// circle). No image library: each pixel is supersampled 4×4 against the shapes and written as an RGBA PNG.
// Run `node scripts/pad-icons.mjs` after changing the drawing; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'pad', 'public', 'icons');
const BLUE = [0x0b, 0x4f, 0x9c];
const WHITE = [0xff, 0xff, 0xff];

/** The colour at (x, y) in a unit square: background, face, eyes, smile. */
function colourAt(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  if (dx * dx + dy * dy > 0.3 * 0.3) return BLUE;
  for (const ex of [0.395, 0.605]) {
    const ux = x - ex;
    const uy = y - 0.42;
    if (ux * ux + uy * uy < 0.035 * 0.035) return BLUE;
  }
  // The smile: a band of an arc centred above the mouth, its lower part only.
  const mx = x - 0.5;
  const my = y - 0.45;
  const r = Math.sqrt(mx * mx + my * my);
  if (my > 0.06 && Math.abs(r - 0.16) < 0.025) return BLUE;
  return WHITE;
}

function draw(size) {
  const samples = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          for (let k = 0; k < 3; k++) sum[k] += c[k];
        }
      const at = (py * size + px) * 4;
      for (let k = 0; k < 3; k++) rgba[at + k] = Math.round(sum[k] / (samples * samples));
      rgba[at + 3] = 0xff;
    }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4); // filter 0 per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of [192, 512]) {
  const file = join(OUT, `icon-${size}.png`);
  writeFileSync(file, png(size, draw(size)));
  process.stdout.write(`${file}\n`);
}
