// Writes a brotli (.br) and a gzip (.gz) copy beside each text asset of a built page (`node scripts/compress-assets.mjs
// dist/console dist/pad`), which intake's static serving sends when the browser accepts it (@fastify/static
// preCompressed): compressed once at build time at the highest levels, never per request. Node's own zlib.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;
/** Below this a compressed copy saves less than a request's headers. */
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(entry)) yield path;
  }
}

for (const dir of process.argv.slice(2)) {
  let raw = 0;
  let br = 0;
  let count = 0;
  for (const path of files(dir)) {
    const bytes = readFileSync(path);
    if (bytes.length < MIN_BYTES) continue;
    const brotli = brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    });
    writeFileSync(`${path}.br`, brotli);
    writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
    raw += bytes.length;
    br += brotli.length;
    count += 1;
  }
  process.stdout.write(`${dir}: ${count} files, ${(raw / 1024).toFixed(0)} KiB → ${(br / 1024).toFixed(0)} KiB brotli\n`);
}
