// 2-D arrays printed as NumPy's print() shows them by default (precision 8, 'maxprec': each element rounded to 8
// decimals and trimmed, the decimal points aligned; scientific notation when the magnitudes call for it), so that
// a reader can set the output beside their notebook's.

/** NumPy's rule for switching a float array to scientific notation (suppress=False). */
function needsScientific(values: readonly number[]): boolean {
  const magnitudes = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  if (magnitudes.length === 0) return false;
  const max = Math.max(...magnitudes);
  const min = Math.min(...magnitudes);
  return max >= 1e8 || min < 1e-4 || max / min > 1e3;
}

function special(value: number): string {
  return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
}

/** The element's text split at the decimal point: [sign and integer part, fraction, exponent]. */
function parts(value: number, scientific: boolean): [string, string, string] {
  if (!Number.isFinite(value)) return [special(value), '', ''];
  if (scientific) {
    const [mantissa, exponent] = value.toExponential(8).split('e');
    const [whole, fraction] = mantissa.split('.');
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return [signed(value, whole), fraction.replace(/0+$/, ''), `e${exponent.startsWith('-') ? '-' : '+'}${digits}`];
  }
  const [whole, fraction] = value.toFixed(8).split('.');
  return [signed(value, whole), fraction.replace(/0+$/, ''), ''];
}

/** JavaScript drops the sign of -0 (and toFixed of a value that rounds to zero); NumPy keeps it (-0.). */
function signed(value: number, whole: string): string {
  return (value < 0 || Object.is(value, -0)) && !whole.startsWith('-') ? `-${whole}` : whole;
}

/**
 * A 2-D array as NumPy's print() shows it: [[ 0.5 -1. ]\n [ 2.   3. ]]. `integers`: an integer array (the
 * article's `inputs` and `expected_output`), [[0 0]\n [0 1]].
 */
export function formatNumpyArray(rows: readonly (readonly number[])[], integers = false): string {
  const flat = rows.flat();
  let texts: string[];
  if (integers) {
    const width = Math.max(...flat.map((v) => String(v).length));
    texts = flat.map((v) => String(v).padStart(width));
  } else {
    const scientific = needsScientific(flat);
    const split = flat.map((v) => parts(v, scientific));
    const finite = split.filter((_, k) => Number.isFinite(flat[k]));
    const right = Math.max(0, ...finite.map(([, fraction]) => fraction.length));
    const exponentWidth = Math.max(0, ...finite.map(([, , exponent]) => exponent.length));
    // nan and inf are right-aligned to the width of a number, widening the integer part if they are longer.
    const specialWidth = Math.max(0, ...split.filter((_, k) => !Number.isFinite(flat[k])).map(([text]) => text.length));
    const left = Math.max(1, ...finite.map(([whole]) => whole.length), specialWidth - right - 1 - exponentWidth);
    texts = split.map(([whole, fraction, exponent]) =>
      exponent === '' && fraction === '' && !/\d/.test(whole)
        ? whole.padStart(left + 1 + right + exponentWidth)
        : `${whole.padStart(left)}.${scientific ? fraction.padEnd(right, '0') : fraction.padEnd(right)}${exponent}`,
    );
  }
  const columns = rows[0]?.length ?? 0;
  const lines = rows.map((_, r) => texts.slice(r * columns, (r + 1) * columns).join(' '));
  return lines.map((line, r) => `${r === 0 ? '[[' : ' ['}${line}]${r === lines.length - 1 ? ']' : ''}`).join('\n');
}
