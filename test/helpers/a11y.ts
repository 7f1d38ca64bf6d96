// Accessibility checks run in a real page: a subset of axe-core's rules, written here because axe-core is not one of
// the project's packages (nothing may be installed on the fly). Each rule is the axe rule of the same name, narrowed
// to what the pages can get wrong: things that are images have a name (image-alt, role-img-alt, svg-img-alt), form
// fields have a label (label), buttons and links have a name (button-name, link-name), ids are unique and every id
// an ARIA attribute or a label points to exists (duplicate-id, aria-valid-attr-value), nothing under aria-hidden can
// take the focus (aria-hidden-focus), roles are real ARIA roles (aria-roles), and text has a contrast of 4.5:1 with
// its background (3:1 for large text; disabled controls exempt; color-contrast, where the background is a plain colour:
// over an image or a canvas it is not judged, as axe reports those for review). test/web/accessibility.test.ts shows each rule firing.
import type { Page } from 'playwright-core';

/** The problems found inside `scope` (a CSS selector; default the whole document), one line each. */
export async function accessibilityProblems(page: Page, scope = 'html'): Promise<string[]> {
  // The tests run through tsx, whose esbuild names inner functions with a helper __name that the page lacks.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate((selector) => {
    const problems: string[] = [];
    const roots = [...document.querySelectorAll(selector)];
    const within = (query: string): Element[] =>
      roots.flatMap((r) => [r, ...r.querySelectorAll(query)].filter((e) => e.matches(query)));
    const describe = (e: Element): string => {
      const id = e.id ? `#${e.id}` : '';
      const testid = e.getAttribute('data-testid');
      return `<${e.tagName.toLowerCase()}${id}${testid ? ` data-testid=${testid}` : ''}>`;
    };
    const hidden = (e: Element): boolean => {
      if (e.closest('[aria-hidden=true]')) return true;
      for (let x: Element | null = e; x; x = x.parentElement) {
        const style = getComputedStyle(x);
        if (style.display === 'none' || style.visibility === 'hidden') return true;
        if (x instanceof HTMLDetailsElement && !x.open && !e.closest('summary') && x !== e) {
          // Inside a closed <details>, only its <summary> is rendered.
          if (!(x.querySelector(':scope > summary')?.contains(e) ?? false)) return true;
        }
      }
      return false;
    };
    const textOf = (ids: string | null): string =>
      (ids ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim();
    const name = (e: Element): string => {
      const label = e.getAttribute('aria-label')?.trim();
      if (label) return label;
      const by = textOf(e.getAttribute('aria-labelledby'));
      if (by) return by;
      if (e instanceof HTMLImageElement) return e.alt.trim();
      if (e instanceof SVGSVGElement) return e.querySelector(':scope > title')?.textContent?.trim() ?? '';
      if (e instanceof HTMLInputElement || e instanceof HTMLSelectElement || e instanceof HTMLTextAreaElement) {
        const labels = [...(e.labels ?? [])]
          .map((l) => l.textContent ?? '')
          .join(' ')
          .trim();
        if (labels) return labels;
        if (e instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(e.type)) return e.value.trim();
      } else if (!(e instanceof SVGElement) && e.getAttribute('role') !== 'img') {
        const text = (e as HTMLElement).innerText?.trim() || e.textContent?.trim();
        if (text) return text;
        const img = e.querySelector('img[alt], svg[aria-label]');
        if (img) return (img.getAttribute('alt') ?? img.getAttribute('aria-label') ?? '').trim();
      }
      return e.getAttribute('title')?.trim() ?? '';
    };

    for (const e of within('img, [role=img], svg[role=img]'))
      if (!hidden(e) && name(e) === '') problems.push(`image-alt: ${describe(e)} is an image without a name`);
    for (const e of within('input:not([type=hidden]), select, textarea'))
      if (!hidden(e) && name(e) === '') problems.push(`label: ${describe(e)} has no label`);
    for (const e of within('button, [role=button], summary'))
      if (!hidden(e) && name(e) === '') problems.push(`button-name: ${describe(e)} has no name`);
    for (const e of within('a[href]'))
      if (!hidden(e) && name(e) === '') problems.push(`link-name: ${describe(e)} has no name`);

    const ids = new Map<string, number>();
    for (const e of document.querySelectorAll('[id]')) ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
    for (const e of within('[id]'))
      if ((ids.get(e.id) ?? 0) > 1) problems.push(`duplicate-id: id "${e.id}" is used ${ids.get(e.id)} times`);
    for (const attribute of ['aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns', 'for']) {
      for (const e of within(`[${attribute}]`)) {
        for (const id of (e.getAttribute(attribute) ?? '').split(/\s+/).filter(Boolean))
          if (!document.getElementById(id))
            problems.push(`aria-valid-attr-value: ${describe(e)} has ${attribute}="${id}", and no element has that id`);
      }
    }
    const focusable =
      'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    for (const e of within('[aria-hidden=true]'))
      for (const f of [e, ...e.querySelectorAll(focusable)].filter((x) => x.matches(focusable)))
        problems.push(`aria-hidden-focus: ${describe(f)} takes the focus inside aria-hidden content`);
    const ROLES = new Set(
      (
        'alert alertdialog application article banner button cell checkbox columnheader combobox complementary ' +
        'contentinfo definition dialog document feed figure form grid gridcell group heading img link list listbox ' +
        'listitem log main marquee math menu menubar menuitem menuitemcheckbox menuitemradio meter navigation none ' +
        'note option presentation progressbar radio radiogroup region row rowgroup rowheader scrollbar search ' +
        'searchbox separator slider spinbutton status switch tab table tablist tabpanel term textbox timer toolbar ' +
        'tooltip tree treegrid treeitem graphics-document graphics-object graphics-symbol'
      ).split(' '),
    );
    for (const e of within('[role]'))
      for (const role of (e.getAttribute('role') ?? '').split(/\s+/).filter(Boolean))
        if (!ROLES.has(role)) problems.push(`aria-roles: ${describe(e)} has role "${role}", not an ARIA role`);

    // color-contrast: each element with text of its own, against the first opaque background behind it.
    const rgba = (css: string): [number, number, number, number] | null => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      if (!m) return null;
      const v = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
    };
    const luminance = ([r, g, b]: number[]): number => {
      const c = [r, g, b].map((x) => {
        const s = x / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (e: Element): [number, number, number] | null => {
      for (let x: Element | null = e; x; x = x.parentElement) {
        if (x instanceof HTMLCanvasElement || x instanceof HTMLImageElement) return null;
        const style = getComputedStyle(x);
        if (style.backgroundImage !== 'none') return null;
        const c = rgba(style.backgroundColor);
        if (c && c[3] >= 0.99) return [c[0], c[1], c[2]];
        if (c && c[3] > 0.01) return null; // a translucent layer: what is under it is not known here
      }
      return [255, 255, 255];
    };
    for (const e of within('*')) {
      const own = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
      // Disabled controls are exempt (WCAG 1.4.3, and axe's rule).
      if (
        !own ||
        hidden(e) ||
        e.closest(':disabled, [aria-disabled=true]') !== null ||
        (e.closest('svg') !== null && !(e instanceof SVGTextElement))
      )
        continue;
      const style = getComputedStyle(e);
      if (Number(style.opacity) === 0) continue;
      const fg = rgba(e instanceof SVGElement ? style.fill : style.color);
      const bg = background(e instanceof SVGElement ? (e.closest('svg')?.parentElement ?? e) : e);
      if (!fg || !bg) continue;
      const a = fg[3];
      const blended = [0, 1, 2].map((k) => fg[k] * a + bg[k] * (1 - a));
      const [l1, l2] = [luminance(blended), luminance(bg)].sort((x, y) => y - x);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5) - 1e-9)
        problems.push(
          `color-contrast: ${describe(e)} "${(e.textContent ?? '').trim().slice(0, 40)}" has contrast ${ratio.toFixed(2)}:1, below ${large ? 3 : 4.5}:1`,
        );
    }
    return problems;
  }, scope);
}
