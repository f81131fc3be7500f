import type { FastifyReply } from 'fastify';

/**
 * The security headers of every page a browser shows — the console, the PAD, the public pages
 * and the bulletin — in one place. Each page kind brings its Content-Security-Policy; the rest is
 * common: no type sniffing, no Referer leaving with a case's or a report's address, no window of
 * ours reachable from another site's, and no camera, microphone or location for anyone.
 */

/**
 * The console and the PAD: their own scripts only (no inline script, no eval), their own origin
 * for data and the PAD's service worker, and never framed. Styles may be inline: antd and React
 * set style attributes and <style> elements at run time (style cannot run code).
 */
export const APP_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers a page sends with its CSP. A page that may not be framed also says so to browsers without CSP 2 (X-Frame-Options). */
export function pageSecurityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(csp.includes("frame-ancestors 'none'") ? { 'X-Frame-Options': 'DENY' } : {}),
  };
}

/** Sets a page's security headers on a reply. */
export function sendPageSecurityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply.headers(pageSecurityHeaders(csp));
}
