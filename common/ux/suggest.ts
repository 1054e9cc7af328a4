/** @module "Did you mean": the known word nearest to a mistyped one by edit distance. */

/** Levenshtein distance (insert, delete, substitute each cost 1); inputs are short command names. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `word`, if it is near enough to be a typo (at most a third of the word's
 * length, at least 2 edits) or starts with it; ties go to the alphabetically first, so the answer is stable.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.slice(0, 64).toLowerCase();
  const ranked = [...candidates]
    .sort()
    .map((c) => ({ c, d: c.startsWith(w) && w.length >= 2 ? 0 : editDistance(w, c.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(w.length / 3)) ? best.c : undefined;
}
