// SVG elements for the playground's views (attributes only: the page's CSP allows no inline style).
const NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(NS, tag);
  setAttrs(element, attrs);
  element.append(...children);
  return element;
}

export function setAttrs(element: Element, attrs: Record<string, string | number>): void {
  for (const [key, value] of Object.entries(attrs))
    element.setAttribute(key, typeof value === 'number' ? String(Math.round(value * 100) / 100) : value);
}

/** Sign colours: the CLI's network diagram's (plot/theme.ts), safe for colour-blind readers and in grey. */
export { WEIGHT_POSITIVE as POSITIVE, WEIGHT_NEGATIVE as NEGATIVE } from '../../plot/theme.js';
