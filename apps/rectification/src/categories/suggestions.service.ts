import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertUnitAccess, type UserPrincipal } from '#libs/auth';
import { DomainError } from '#libs/common';
import { type CategorizedCase, scoreCategories, similarityTerms } from './domain/category-scorer.js';
import { segment } from './domain/segmenter.js';
import { mostSimilar } from './domain/text-similarity.js';
import type { CaseSuggestionsDto } from './suggestions.dto.js';

/** Bounds of the work one request does: the categorized history it learns from and the candidates it compares. */
export const SUGGESTION_LIMITS = { history: 500, candidates: 300, similarCases: 3, minSimilarity: 0.3, snippet: 60 } as const;

interface CaseRow {
  id: string;
  unit_code: string;
  opened_at: Date;
  matter: Record<string, unknown>;
  problem_category: string | null;
}

/** What the citizen wrote, as the case keeps it (masked): a review's comment, a report's matter and description. */
export function complaintText(matter: Record<string, unknown>): string {
  return ['comment', 'content', 'matter', 'description']
    .map((k) => matter[k])
    .filter((v): v is string => typeof v === 'string' && v.trim().length > 0)
    .join('。');
}

const serviceItemOf = (matter: Record<string, unknown>) => (typeof matter.serviceItemCode === 'string' ? matter.serviceItemCode : null);

/**
 * GET /cases/{id}/suggestions: categories scored from the case's text, tags and service item (category-scorer), and
 * earlier cases of the same service item, from any unit, whose text is similar. Only ever a suggestion.
 */
@Injectable()
export class SuggestionsService {
  constructor(private readonly dataSource: DataSource) {}

  async forCase(user: UserPrincipal, id: string): Promise<CaseSuggestionsDto> {
    const [found] = await this.dataSource.query<CaseRow[]>(
      `SELECT id, unit_code, opened_at, matter, problem_category FROM cases WHERE id = $1`,
      [id],
    );
    if (!found) throw DomainError.notFound(`Case ${id}`);
    assertUnitAccess(user, found.unit_code);
    const text = complaintText(found.matter);
    const tokens = segment(text);
    const serviceItemCode = serviceItemOf(found.matter);
    const tags = Array.isArray(found.matter.tags) ? found.matter.tags.filter((t): t is string => typeof t === 'string') : [];

    const [history, candidates, selectable] = await Promise.all([
      this.dataSource.query<CaseRow[]>(
        `SELECT id, unit_code, opened_at, matter, problem_category FROM cases
          WHERE problem_category IS NOT NULL AND id <> $1 ORDER BY opened_at DESC LIMIT $2`,
        [id, SUGGESTION_LIMITS.history],
      ),
      serviceItemCode
        ? this.dataSource.query<CaseRow[]>(
            `SELECT id, unit_code, opened_at, matter, problem_category FROM cases
              WHERE matter ->> 'serviceItemCode' = $1 AND id <> $2 AND opened_at <= $3
              ORDER BY opened_at DESC LIMIT $4`,
            [serviceItemCode, id, found.opened_at, SUGGESTION_LIMITS.candidates],
          )
        : Promise.resolve([]),
      this.dataSource.query<{ code: string }[]>(
        `SELECT c.code FROM problem_categories c LEFT JOIN problem_categories p ON p.code = c.parent_code
          WHERE NOT c.retired AND NOT COALESCE(p.retired, false)`,
      ),
    ]);

    const categorized: CategorizedCase[] = history.map((h) => ({
      category: h.problem_category!,
      serviceItemCode: serviceItemOf(h.matter),
      tokens: segment(complaintText(h.matter)),
    }));
    const categories = scoreCategories({ text, tokens, tags, serviceItemCode }, categorized, new Set(selectable.map((s) => s.code)));

    const similar = mostSimilar(
      similarityTerms(text, tokens),
      candidates
        .map((c) => ({ item: c, text: complaintText(c.matter) }))
        .filter((c) => c.text.length > 0)
        .map((c) => ({ item: c, tokens: similarityTerms(c.text, segment(c.text)) })),
      { limit: SUGGESTION_LIMITS.similarCases, minSimilarity: SUGGESTION_LIMITS.minSimilarity },
    );
    return {
      categories,
      similarCases: similar.map(({ item, similarity }) => ({
        id: item.item.id,
        unitCode: item.item.unit_code,
        serviceItemCode,
        snippet: [...item.text].slice(0, SUGGESTION_LIMITS.snippet).join(''),
        similarity: Math.round(similarity * 1000) / 1000,
      })),
    };
  }
}
