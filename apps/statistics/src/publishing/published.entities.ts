import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A published quarter: who froze it, when. Append-only (a trigger refuses UPDATE, DELETE, TRUNCATE). */
@Entity({ name: 'published_quarters' })
export class PublishedQuarterEntity {
  @PrimaryColumn({ type: 'smallint' })
  year: number;

  @PrimaryColumn({ type: 'smallint' })
  quarter: number;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;

  @Column({ name: 'published_by', type: 'text' })
  publishedBy: string;

  /** The publisher's display name at publication; null for quarters published before names were kept. */
  @Column({ name: 'published_by_name', type: 'text', nullable: true })
  publishedByName: string | null;
}

/** The frozen report of a published quarter for one scope ('' = the whole district, else a unit code). Append-only. */
@Entity({ name: 'published_reports' })
export class PublishedReportEntity {
  @PrimaryColumn({ type: 'smallint' })
  year: number;

  @PrimaryColumn({ type: 'smallint' })
  quarter: number;

  @PrimaryColumn({ type: 'text' })
  scope: string;

  /** The report JSON exactly as served at publication. */
  @Column({ type: 'text' })
  report: string;

  /** The bulletin's monthly series and open problems as they stood (JSON). */
  @Column({ name: 'bulletin_extras', type: 'text' })
  bulletinExtras: string;
}

export const PUBLISHED_ENTITIES = [PublishedQuarterEntity, PublishedReportEntity];
