import { Logger } from '@nestjs/common';
import { TestFileLogger } from '#libs/testing';

// Every test file: Nest's static logger writes to the worker's log file (.data/test-logs), not the console.
Logger.overrideLogger(new TestFileLogger());
