import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '@polymaker/api/core';
import { PnlCalendarQueryDto, PnlCalendarView } from './dto/pnl.dto';
import { PnlService } from './pnl.service';

@ApiTags('trades')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/pnl')
export class PnlController {
  constructor(private readonly pnl: PnlService) {}

  @Get('calendar')
  @ApiOperation({
    operationId: 'pnlCalendar',
    summary:
      'Realised P&L by day, ISO week or month, for the fleet or per bot, asset or window, in a time zone (exact decimals)',
  })
  @ApiOkResponse({ type: PnlCalendarView })
  calendar(@Query() query: PnlCalendarQueryDto): Promise<PnlCalendarView> {
    return this.pnl.calendar(query);
  }
}
