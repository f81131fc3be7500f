import { Body, Controller, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { PublicationDto, SetPublicationDto } from './dto/publication.dto.js';
import { PublicationService } from './publication.service.js';
import { ParseIdPipe } from '#libs/common';

@ApiTags('cases')
@Controller('cases')
export class PublicationController {
  constructor(private readonly publication: PublicationService) {}

  @Put(':id/publication')
  @Auth('unit_operator')
  @ApiOperation({
    summary: '公开 (unit_operator): choose whether this closed case is published as a 以评促改 example, and its public wording',
    description:
      'Only a case CLOSED as RECTIFIED or EXPLAINED can be published (else 409 INVALID_TRANSITION). The texts are checked: a phone or ID ' +
      'number, the staff id or the reviewer’s name → 400 naming the field. The public pages of statistics show the example under ' +
      'the published quarter in which the case was opened; publishable=false withdraws it.',
  })
  @ApiOkResponse({ type: PublicationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  set(
    @CurrentPrincipal() user: UserPrincipal,
    @Param('id', new ParseIdPipe()) id: string,
    @Body() dto: SetPublicationDto,
  ): Promise<PublicationDto> {
    return this.publication.set(user, id, dto);
  }
}
