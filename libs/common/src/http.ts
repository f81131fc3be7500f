import type { IncomingHttpHeaders } from 'node:http';

/** A request header as one string (the first one when repeated), or undefined. `name` in lower case. */
export function headerOf(req: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
