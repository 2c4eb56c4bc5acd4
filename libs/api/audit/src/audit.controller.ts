import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { csvCell, RequiresScope } from '@polymaker/api/core';
import { Readable } from 'node:stream';
import { AuditService } from './audit.service';
import { AuditEntryView, AuditPageView, AuditQueryDto } from './dto/audit.dto';

const CSV_COLUMNS: (keyof AuditEntryView)[] = [
  'id',
  'at',
  'apiKeyId',
  'apiKeyName',
  'scope',
  'action',
  'targetType',
  'targetId',
  'before',
  'after',
  'requestId',
];

/** The audit trail is readable by every admin-API scope: it never holds a secret. */
@ApiTags('audit')
@ApiSecurity('api-key')
@RequiresScope('viewer')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEntries',
    summary: 'Every change made through the admin API, newest first (keyset paging: follow nextCursor)',
  })
  @ApiOkResponse({ type: AuditPageView })
  list(@Query() query: AuditQueryDto): Promise<AuditPageView> {
    return this.audit.page(query);
  }

  @Get('export.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="audit.csv"')
  @ApiOperation({
    operationId: 'exportAuditCsv',
    summary: 'The audit entries matching the filters as CSV, streamed',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  export(@Query() query: AuditQueryDto): StreamableFile {
    this.audit.check(query);
    const pages = this.audit.all({ ...query, limit: undefined, cursor: undefined });
    async function* lines(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\n`;
      for await (const page of pages) {
        yield (
          page.map((entry) => CSV_COLUMNS.map((column) => csvCell(entry[column])).join(',')).join('\n') + '\n'
        );
      }
    }
    return new StreamableFile(Readable.from(lines()));
  }
}
