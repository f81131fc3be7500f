import type { ServiceSchema } from '#libs/database';
import { MESSAGING_ENTITIES } from '#libs/messaging';
import { CalendarDayEntity, CalendarYearEntity } from './calendar/calendar-day.entity.js';
import { CaseEntity, CaseTimelineEntry } from './cases/case.entity.js';
import { ProblemCategoryChange, ProblemCategoryEntity } from './categories/problem-category.entity.js';
import { PROBLEM_CLASS_ENTITIES } from './classes/problem-class.entity.js';
import { HotlineCallbackEntity, HotlineClientCopy } from './hotline/hotline.entities.js';
import { InitialRectificationSchema1732406400000 } from './migrations/1732406400000-InitialRectificationSchema.js';
import { RectificationWorkflow1732579200000 } from './migrations/1732579200000-RectificationWorkflow.js';
import { CasePublication1733400000100 } from './migrations/1733400000100-CasePublication.js';
import { CalendarYearStatus1733500000000 } from './migrations/1733500000000-CalendarYearStatus.js';
import { ContactRevealAudit1733600000000 } from './migrations/1733600000000-ContactRevealAudit.js';
import { HotlineCallbackLastAttempt1733700000000 } from './migrations/1733700000000-HotlineCallbackLastAttempt.js';
import { InboxRetentionIndex1734500000001 } from './migrations/1734500000001-InboxRetentionIndex.js';
import { ScheduledTicks1734500000003 } from './migrations/1734500000003-ScheduledTicks.js';
import { ProblemCategories1734700000000 } from './migrations/1734700000000-ProblemCategories.js';
import { SharedLimits1734100000100 } from './migrations/1734100000100-SharedLimits.js';
import { RateLimitsUnlogged1734100000300 } from './migrations/1734100000300-RateLimitsUnlogged.js';
import { CaseContactErasure1734200300000 } from './migrations/1734200300000-CaseContactErasure.js';
import { ProblemClasses1735100000000 } from './migrations/1735100000000-ProblemClasses.js';
import { CaseNumbers1735200000000 } from './migrations/1735200000000-CaseNumbers.js';
import { SharedLimitDecisions1735500000100 } from './migrations/1735500000100-SharedLimitDecisions.js';

export const RECTIFICATION_SCHEMA: ServiceSchema = {
  schema: 'rectification',
  entities: [
    CaseEntity,
    CaseTimelineEntry,
    CalendarDayEntity,
    CalendarYearEntity,
    HotlineClientCopy,
    HotlineCallbackEntity,
    ProblemCategoryEntity,
    ProblemCategoryChange,
    ...PROBLEM_CLASS_ENTITIES,
    ...MESSAGING_ENTITIES,
  ],
  migrations: [
    InitialRectificationSchema1732406400000,
    RectificationWorkflow1732579200000,
    CasePublication1733400000100,
    CalendarYearStatus1733500000000,
    ContactRevealAudit1733600000000,
    HotlineCallbackLastAttempt1733700000000,
    SharedLimits1734100000100,
    RateLimitsUnlogged1734100000300,
    CaseContactErasure1734200300000,
    InboxRetentionIndex1734500000001,
    ScheduledTicks1734500000003,
    ProblemCategories1734700000000,
    ProblemClasses1735100000000,
    CaseNumbers1735200000000,
    SharedLimitDecisions1735500000100,
  ],
};
