// Small DOM helpers. Text always goes in as text (textContent), never as HTML.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) if (value !== undefined) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

/** Offers `text` as a file download (a blob URL, released after the click). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file's text; files larger than `maxBytes` are refused with a message naming the limit. */
export async function readTextFile(file: File, maxBytes = 4 << 20): Promise<string> {
  if (file.size > maxBytes)
    throw new Error(
      `${file.name} is ${(file.size / 1048576).toFixed(1)} MB; the playground reads files up to ${maxBytes / 1048576} MB`,
    );
  return file.text();
}

/** A number for people: `digits` significant digits, grouped thousands for large integers. */
export function formatNumber(x: number | null, digits = 6): string {
  if (x === null || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}
