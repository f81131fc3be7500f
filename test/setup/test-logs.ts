import { Logger } from '@nestjs/common';
// The one module it needs, not '#libs/testing' as a whole (Nest, TypeORM, the messaging and platform libraries):
// a unit test file loads only what it imports itself.
import { TestFileLogger } from '../../libs/testing/src/test-logs.js';

// Every test file: Nest's static logger writes to the worker's log file (.data/test-logs), not the console.
Logger.overrideLogger(new TestFileLogger());
