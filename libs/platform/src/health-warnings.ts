import { Injectable } from '@nestjs/common';

/** Something an operator must act on that does not make the service unready (e.g. an unconfirmed calendar year). */
export interface HealthWarning {
  /** Stable identifier, e.g. `calendar`. */
  name: string;
  message: string;
  details?: Record<string, unknown>;
}

export type HealthWarningSource = () => HealthWarning[] | Promise<HealthWarning[]>;

/**
 * Warnings shown in the readiness body (`warnings: [...]`) without failing it. A feature registers a
 * source once (`register('calendar', () => …)`); the health endpoint asks every source per probe.
 */
@Injectable()
export class HealthWarnings {
  private readonly sources = new Map<string, HealthWarningSource>();

  register(name: string, source: HealthWarningSource): void {
    this.sources.set(name, source);
  }

  async current(): Promise<HealthWarning[]> {
    const lists = await Promise.all([...this.sources.values()].map(async (source) => source()));
    return lists.flat();
  }
}
