import { COMPLAINTS, splitComplaints } from '../../../../../test/fixtures/complaint-texts.js';
import { measureSuggestions } from '../../../../../test/fixtures/suggestion-quality.js';

/**
 * The quality of the category suggestions and the similar-case search on the labelled set (BENCHMARKS.md §
 * Analysis): the numbers there come from this measurement (`SUGGESTIONS_REPORT=1` prints them). The floors
 * below sit just under what was measured, so a change that makes the suggestions worse fails here.
 */
describe('suggestion quality on the labelled complaint set', () => {
  const quality = measureSuggestions();
  if (process.env.SUGGESTIONS_REPORT === '1') process.stdout.write(`${JSON.stringify(quality, null, 2)}\n`);

  it('has at least 300 texts, every category on both sides of the split', () => {
    expect(COMPLAINTS.length).toBeGreaterThanOrEqual(300);
    const { build, evaluation } = splitComplaints();
    expect(new Set(build.map((c) => c[0]))).toEqual(new Set(evaluation.map((c) => c[0])));
    expect(Math.min(build.length, evaluation.length)).toBeGreaterThanOrEqual(COMPLAINTS.length * 0.4);
    expect(build.filter((b) => evaluation.some((e) => e[3] === b[3]))).toEqual([]);
  });

  it('suggests the right category first for most evaluation texts, and among the first three for nearly all', () => {
    expect(quality.evaluation.top1).toBeGreaterThanOrEqual(FLOOR.top1);
    expect(quality.evaluation.top3).toBeGreaterThanOrEqual(FLOOR.top3);
  });

  it('finds similar earlier cases of the same kind', () => {
    expect(quality.similar.precision).toBeGreaterThanOrEqual(FLOOR.similarPrecision);
  });
});

const FLOOR = { top1: 0.8, top3: 0.9, similarPrecision: 0.45 };
