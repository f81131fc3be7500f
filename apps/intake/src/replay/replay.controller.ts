import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { IntakeReplayResultDto } from './dto/replay.response.js';
import { ReplayService } from './replay.service.js';

@ApiTags('admin')
@Controller('admin')
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post('replay')
  @HttpCode(200)
  @Auth('admin')
  @ApiOperation({
    summary:
      "Re-send intake's facts (units, reviews with their current 刷评 flag, 办不成事 reports) as events through the outbox, each with a new id " +
      'and the CloudEvents attribute `replay`, so that statistics rebuilds a lost schema through its ordinary consumers. Applying them ' +
      'again changes nothing (consumers keep facts by state); rectification passes them over. One replay at a time (409); audited',
  })
  @ApiOkResponse({ type: IntakeReplayResultDto })
  @ApiProblems(401, 403, 409)
  replay(@CurrentPrincipal() admin: UserPrincipal) {
    return this.replays.replay(admin);
  }
}
