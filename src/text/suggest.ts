// "Did you mean ...?": the nearest of a list of names to what someone typed, by edit distance.

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Case, dashes and underscores aside: hidden-std, hidden_std and HiddenStd all read as hiddenstd. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** The name of `names` nearest to `given`, when it is near enough to be what was meant (else null). */
function nearestName(given: string, names: readonly string[]): string | null {
  const g = folded(given);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const distance = editDistance(g, folded(name));
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  // A third of the name may be wrong (at least 2 letters): "hiden" finds hidden, "xyz" finds nothing.
  return best !== null && bestDistance <= Math.max(2, Math.floor(g.length / 3)) ? best : null;
}

/** ` (did you mean hiddenStd?)`, or '' when no name is near. */
export function didYouMean(given: string, names: readonly string[]): string {
  const near = nearestName(given, names);
  return near === null ? '' : ` (did you mean ${near}?)`;
}
