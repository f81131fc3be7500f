import type { FastifyReply } from 'fastify';

/** Cache-Control of a built page's file: Vite's hashed assets/ never change; the rest is revalidated every load. */
export function builtPageCacheControl(reply: FastifyReply, path: string): void {
  void reply.header('Cache-Control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * How intake serves a built page (the console, the PAD) with @fastify/static: a browser keeps the hashed files for a
 * year without asking again, and a new release reaches everyone at once through the revalidated page. Files go out as
 * the brotli or gzip copy the build wrote beside them (scripts/compress-assets.mjs) when the browser accepts it
 * (`preCompressed`), so nothing is compressed per request.
 */
export const BUILT_PAGE_STATIC_OPTIONS = { decorateReply: false, preCompressed: true } as const;
