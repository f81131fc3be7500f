import { Body, Controller, Headers, type MessageEvent, Param, Post, Sse } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CurrentPrincipal, DeviceAuth, type DevicePrincipal, DeviceOrUserAuth, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { CreatePromptDto, PromptDto } from './dto/prompt.dto.js';
import { PromptsService } from './prompts.service.js';
import { ParseIdPipe } from '#libs/common';

@ApiTags('pad')
@Controller()
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Post('devices/:deviceId/prompts')
  @DeviceOrUserAuth('unit_operator', 'admin')
  @ApiOperation({
    summary: "Ask a window's PAD to take a rating of a service that just ended (the window's business system calls this)",
    description:
      'Called by an operator of the device’s unit (bearer JWT), an admin, or a signed device of the same unit (e.g. the window’s ' +
      'business terminal registered as a device). Another unit’s operator or device → 403 FORBIDDEN_UNIT; a supervisor → 403 FORBIDDEN; ' +
      'a revoked device → 409. The PAD learns of it through GET /pad/prompts/stream within a second and rates it under the given ' +
      'serviceRecordId; it is offered for 10 minutes.',
  })
  @ApiCreatedResponse({ type: PromptDto })
  @ApiProblems(400, 401, 403, 404, 409)
  create(
    @CurrentPrincipal() caller: UserPrincipal | DevicePrincipal,
    @Param('deviceId', new ParseIdPipe()) deviceId: string,
    @Body() dto: CreatePromptDto,
  ): Promise<PromptDto> {
    return this.prompts.create(caller, deviceId, dto);
  }

  @Sse('pad/prompts/stream')
  @DeviceAuth()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Server-sent events for the calling PAD: `ready`, then `prompt` (a PromptDto) for the pending and each new prompt, `ping` every 15 s',
    description:
      'Signed like every device request (GET, empty body). The stream ends after 55 s; the PAD reconnects with a fresh signature. ' +
      'Read it with fetch() (EventSource cannot send the signature headers). A prompt event carries the prompt id as its `id`; ' +
      'reconnecting with `Last-Event-ID: <that id>` sends only a newer prompt. Streams on every replica receive every prompt. ' +
      'A device holds at most 3 streams at once: a 4th → 429 RATE_LIMITED with Retry-After. A signed stream request opens one ' +
      'stream only: sent again while its timestamp is within the 300 s window → 401 SIGNATURE_REPLAYED.',
  })
  @ApiOkResponse({
    description: 'The event stream',
    content: { 'text/event-stream': { schema: { type: 'string', description: 'event: ready | prompt | ping; data: JSON' } } },
  })
  @ApiProblems(400, 401, 429)
  stream(
    @CurrentPrincipal() device: DevicePrincipal,
    @Headers('x-signature') signature: string,
    @Headers('x-timestamp') timestamp: string,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<Observable<MessageEvent>> {
    return this.prompts.stream(device, { signature, timestamp }, lastEventId);
  }
}
