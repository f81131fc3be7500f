import { LEXICON, scoreCategories, similarityTerms } from './category-scorer.js';
import { segment } from './segmenter.js';
import { mostSimilar } from './text-similarity.js';

const ALL = new Set([...Object.keys(LEXICON), 'OTHER']);
const evidence = (text: string, tags: string[] = [], serviceItemCode: string | null = null) => ({
  text,
  tokens: segment(text),
  tags,
  serviceItemCode,
});

describe('scoreCategories', () => {
  it('reads the problem from the words: 停车 → 停车难, 电话没人接 → 咨询电话难打通', () => {
    expect(scoreCategories(evidence('门口根本没地方停车'), [], ALL)[0]!.code).toBe('ENVIRONMENT_PARKING');
    expect(scoreCategories(evidence('打了一上午电话都没人接'), [], ALL)[0]!.code).toBe('GUIDANCE_PHONE');
  });

  it('a text that says nothing specific lands in OTHER; a tag then tips it', () => {
    expect(scoreCategories(evidence('不满意'), [], ALL)).toEqual([{ code: 'OTHER', score: 1 }]);
    expect(scoreCategories(evidence('不满意', ['REPEATED_VISITS']), [], ALL)[0]!.code).toBe('PROCESS_TRIPS');
  });

  it('scores are shares that sum to at most 1, best first; only selectable codes are offered', () => {
    const scores = scoreCategories(evidence('排队两个小时，窗口只开了两个'), [], ALL);
    expect(scores.reduce((s, c) => s + c.score, 0)).toBeLessThanOrEqual(1.001);
    expect(scores.map((s) => s.score)).toEqual([...scores.map((s) => s.score)].sort((a, b) => b - a));
    const withoutWaiting = new Set([...ALL].filter((c) => c !== 'EFFICIENCY_WAITING'));
    expect(scoreCategories(evidence('排队两个小时'), [], withoutWaiting).map((s) => s.code)).not.toContain('EFFICIENCY_WAITING');
  });

  it('learns from the categories operators chose: a local word the lexicon lacks points where similar cases went', () => {
    const history = ['社保卡补卡好麻烦要跑三趟', '社保卡补卡来回跑了好几次', '补卡又白跑一趟'].map((t) => ({
      category: 'PROCESS_TRIPS',
      serviceItemCode: 'SI-SOCIAL',
      tokens: segment(t),
    }));
    const scores = scoreCategories(evidence('社保卡补卡', [], 'SI-SOCIAL'), history, ALL);
    expect(scores[0]!.code).toBe('PROCESS_TRIPS');
  });
});

describe('similar cases', () => {
  it('puts two complaints about the same problem in different words closer than one about another problem', () => {
    const terms = (t: string) => similarityTerms(t, segment(t));
    const found = mostSimilar(
      terms('排队排了两个小时'),
      [
        { item: 'waiting', tokens: terms('等了好久，叫号太慢') },
        { item: 'parking', tokens: terms('停车场两个小时收费太贵') },
      ],
      { limit: 2, minSimilarity: 0 },
    );
    expect(found.map((f) => f.item)).toEqual(['waiting', 'parking']);
    expect(found[0]!.similarity).toBeGreaterThan(found[1]!.similarity);
  });

  it('finds nothing for an empty text', () => {
    expect(mostSimilar([], [{ item: 1, tokens: ['排队'] }], { limit: 3, minSimilarity: 0 })).toEqual([]);
  });
});
