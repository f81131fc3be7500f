import { Injectable } from '@nestjs/common';

/** What one named check reports: `status` and any details worth showing an operator. */
export interface HealthDetail {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

/**
 * A named part of the health body. A `fatal` contributor that is down fails readiness
 * (503); a non-fatal one is reported under `warnings` and readiness stays 200.
 */
export interface HealthContributor {
  name: string;
  fatal: boolean;
  check(): Promise<HealthDetail>;
}

/**
 * The registry of health contributors: the platform registers the database, the
 * broker and the event pipeline; a module adds its own (e.g. a calendar warning) by
 * injecting this and calling `register` in `onModuleInit`.
 */
@Injectable()
export class HealthContributors {
  private readonly contributors = new Map<string, HealthContributor>();

  register(contributor: HealthContributor): void {
    this.contributors.set(contributor.name, contributor);
  }

  list(): HealthContributor[] {
    return [...this.contributors.values()];
  }
}
