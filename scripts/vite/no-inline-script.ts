import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/**
 * The console and the PAD are served with a CSP that allows no inline script (`script-src 'self'`,
 * libs/platform security-headers.ts): a page that held one would stop working in the browser, not
 * at build. So the build refuses it: once the pages are written, each emitted HTML file is read back
 * and a <script> with a body, an inline event handler (`onload=`) or a `javascript:` URL fails the build.
 */
export function inlineScriptsOf(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const [, attributes = '', body = ''] = m;
    if (body.trim() !== '' || !/\bsrc\s*=/i.test(attributes)) found.push(m[0].slice(0, 120));
  }
  for (const m of html.matchAll(/<[a-z][^>]*\s(on[a-z]+)\s*=/gi)) found.push(`${m[1]}= handler`);
  for (const m of html.matchAll(/(?:href|src|action)\s*=\s*["']?\s*javascript:/gi)) found.push(m[0]);
  return found;
}

export function noInlineScript(): Plugin {
  let outDir = '';
  const pages: string[] = [];
  return {
    name: 'no-inline-script',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) if (file.endsWith('.html')) pages.push(file);
    },
    closeBundle() {
      for (const page of pages) {
        const found = inlineScriptsOf(readFileSync(join(outDir, page), 'utf8'));
        if (found.length) {
          throw new Error(`${page} holds inline script, which the page's CSP (script-src 'self') blocks: ${found.join('; ')}`);
        }
      }
    },
  };
}
