import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError, ErrorCode } from '#libs/common';
import { sendPublic } from './public-http.js';
import { PublicService } from './public.service.js';
import { renderPublicIndex, renderPublicNotFound, renderPublicQuarter } from './render-public.js';

const HTML = 'text/html; charset=utf-8';

/**
 * The public pages for people, at /public and /public/{year}/{quarter} (outside the /api/v1 prefix),
 * rendered from the same data as the JSON twin /api/v1/public/….
 */
export function servePublicPages(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const service = () => app.get(PublicService);
  fastify.get('/public', async (req, reply) => sendPublic(req, reply, renderPublicIndex(await service().quarters()), HTML));
  fastify.get<{ Params: { year: string; quarter: string } }>('/public/:year/:quarter', async (req, reply) => {
    const { year, quarter } = req.params;
    if (!/^20\d\d$|^2100$/.test(year) || !/^[1-4]$/.test(quarter)) return sendPublic(req, reply, renderPublicNotFound(), HTML, 404);
    try {
      return sendPublic(req, reply, renderPublicQuarter(await service().quarter(Number(year), Number(quarter))), HTML);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return sendPublic(req, reply, renderPublicNotFound(), HTML, 404);
      throw err;
    }
  });
}
