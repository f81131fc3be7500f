/**
 * TF-IDF cosine similarity between short texts given as token lists: term frequency is log-scaled
 * (1 + ln tf), inverse document frequency is smoothed (ln((1 + N) / (1 + df)) + 1) over the bounded
 * candidate set plus the query. Plain functions, no I/O.
 */
export interface Candidate<T> {
  item: T;
  tokens: readonly string[];
}

type Vector = Map<string, number>;

function vectorOf(tokens: readonly string[], idf: Map<string, number>): Vector {
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  const v: Vector = new Map();
  let norm = 0;
  for (const [t, n] of tf) {
    const w = (1 + Math.log(n)) * (idf.get(t) ?? 1);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) dot += w * (large.get(t) ?? 0);
  return dot;
}

/** The candidates most similar to the query, best first, at least `minSimilarity`, at most `limit`. */
export function mostSimilar<T>(
  query: readonly string[],
  candidates: readonly Candidate<T>[],
  { limit, minSimilarity }: { limit: number; minSimilarity: number },
): Array<{ item: T; similarity: number }> {
  if (query.length === 0 || candidates.length === 0) return [];
  const df = new Map<string, number>();
  for (const tokens of [query, ...candidates.map((c) => c.tokens)]) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = candidates.length + 1;
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log((1 + n) / (1 + d)) + 1);
  const q = vectorOf(query, idf);
  return candidates
    .map((c) => ({ item: c.item, similarity: cosine(q, vectorOf(c.tokens, idf)) }))
    .filter((r) => r.similarity >= minSimilarity)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, limit);
}
