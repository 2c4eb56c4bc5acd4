import { Pipe, PipeTransform } from '@angular/core';
import { formatAgo, formatDecimal, formatDuration } from '@polymaker/admin/util';

@Pipe({ name: 'pmDecimal' })
export class DecimalPipe implements PipeTransform {
  transform(value: string | number | null | undefined, digits = 2): string {
    return formatDecimal(value, digits);
  }
}

/** Pure on purpose: pass a `now` signal value as the second argument so it re-renders as time passes. */
@Pipe({ name: 'pmAgo' })
export class AgoPipe implements PipeTransform {
  transform(value: string | null | undefined, now: number = Date.now()): string {
    return formatAgo(value, now);
  }
}

@Pipe({ name: 'pmDuration' })
export class DurationPipe implements PipeTransform {
  transform(seconds: number | null | undefined): string {
    return formatDuration(seconds);
  }
}

/** Local date and time, compact: "24 Nov, 07:16:50". */
@Pipe({ name: 'pmTime' })
export class TimePipe implements PipeTransform {
  transform(value: string | null | undefined, withDate = true): string {
    if (!value) return '—';
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) return value;
    return d.toLocaleString(
      undefined,
      withDate
        ? {
            day: '2-digit',
            month: 'short',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hour12: false,
          }
        : { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
    );
  }
}

/** JSON for display (objects and arrays compact, strings as they are). */
@Pipe({ name: 'pmValue' })
export class ValuePipe implements PipeTransform {
  transform(value: unknown): string {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'string') return value;
    return JSON.stringify(value);
  }
}
