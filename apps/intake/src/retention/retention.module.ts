import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { PersonalDataRetentionService } from './personal-data-retention.service.js';

/** PIPL retention of the personal data intake received (PersonalDataRetentionService), on a schedule. */
@Module({
  imports: [AccountsModule],
  providers: [PersonalDataRetentionService],
})
export class RetentionModule {}
