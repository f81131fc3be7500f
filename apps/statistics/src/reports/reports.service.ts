import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Quarter, quarterRange } from '#libs/common';

interface Row {
  channel: string;
  level: number;
  reviews: string;
}

@Injectable()
export class ReportsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Volume and 好评率 of a quarter, from the rollups. */
  async quarterly(quarter: Quarter, unitCode?: string) {
    const { from, to } = quarterRange(quarter);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT channel, level, sum(reviews)::bigint AS reviews FROM review_rollups
       WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR unit_code = $3)
       GROUP BY channel, level`,
      [from, to, unitCode ?? null],
    );
    const byLevel: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    const byChannel: Record<string, number> = { PAD: 0, HOTLINE_12345: 0 };
    let good = 0;
    let bad = 0;
    for (const row of rows) {
      const n = Number(row.reviews);
      if (row.level > 0) byLevel[String(row.level)] += n;
      byChannel[row.channel] = (byChannel[row.channel] ?? 0) + n;
      if (row.level >= 3) good += n;
      else bad += n;
    }
    const total = good + bad;
    return {
      period: { year: quarter.year, quarter: quarter.quarter, from, to, timezone: 'Asia/Shanghai' },
      reviews: { total, good, bad, goodRate: total === 0 ? null : good / total, byLevel, byChannel },
      generatedAt: new Date().toISOString(),
    };
  }
}
