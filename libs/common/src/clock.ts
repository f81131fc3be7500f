import { Injectable } from '@nestjs/common';

/**
 * "Now", as one injectable: code that decides by the date (warnings from 1 November, the daily
 * log line) asks the clock, so a test can set "today" with `jest.spyOn(clock, 'now')`.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
