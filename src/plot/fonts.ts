// The chart font, shipped as TrueType files by the dejavu-fonts-ttf npm package, and its glyph advance widths.
// Vega lays out text by its width; without a browser canvas it guesses 0.8 em per character, which leaves large
// gaps around long axis titles. Reading the real advances from the font (cmap + hmtx) makes the layout match what
// resvg then draws with the same files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', oblique: 'DejaVuSans-Oblique.ttf' } as const;

function fontDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

export function fontFiles(): string[] {
  const dir = fontDir();
  return Object.values(FILES).map((f) => join(dir, f));
}

/** Advance width in em of each character the font maps, plus a fallback for the rest. */
interface GlyphWidths {
  readonly widths: Map<number, number>;
  readonly fallback: number;
}

function tables(font: Buffer): Map<string, number> {
  const count = font.readUInt16BE(4);
  const offsets = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const record = 12 + 16 * i;
    offsets.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  return offsets;
}

/** Reads the advance widths of the Basic Multilingual Plane characters from a TrueType font. */
export function readGlyphWidths(font: Buffer): GlyphWidths {
  const t = tables(font);
  const [head, hhea, hmtx, cmap] = ['head', 'hhea', 'hmtx', 'cmap'].map((tag) => {
    const offset = t.get(tag);
    if (offset === undefined) throw new Error(`font has no ${tag} table`);
    return offset;
  });
  const unitsPerEm = font.readUInt16BE(head + 18);
  const metricCount = font.readUInt16BE(hhea + 34);
  const advance = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, metricCount - 1)) / unitsPerEm;

  // The Windows Unicode BMP subtable (platform 3, encoding 1), format 4: segments of consecutive codes.
  let sub = -1;
  for (let i = 0, n = font.readUInt16BE(cmap + 2); i < n; i++) {
    const rec = cmap + 4 + 8 * i;
    if (font.readUInt16BE(rec) === 3 && font.readUInt16BE(rec + 2) === 1) sub = cmap + font.readUInt32BE(rec + 4);
  }
  if (sub < 0 || font.readUInt16BE(sub) !== 4) throw new Error('font has no format-4 Unicode cmap');
  const segCount = font.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segCount + 2;
  const deltas = starts + 2 * segCount;
  const rangeOffsets = deltas + 2 * segCount;
  const widths = new Map<number, number>();
  for (let s = 0; s < segCount; s++) {
    const end = font.readUInt16BE(ends + 2 * s);
    const start = font.readUInt16BE(starts + 2 * s);
    const delta = font.readInt16BE(deltas + 2 * s);
    const rangeAt = rangeOffsets + 2 * s;
    const range = font.readUInt16BE(rangeAt);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (range === 0) glyph = (code + delta) & 0xffff;
      else {
        const raw = font.readUInt16BE(rangeAt + range + 2 * (code - start));
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) widths.set(code, advance(glyph));
    }
  }
  return { widths, fallback: advance(0) };
}

let cache: { regular: GlyphWidths; bold: GlyphWidths } | null = null;

function fontWidths(): { regular: GlyphWidths; bold: GlyphWidths } {
  if (!cache) {
    const dir = fontDir();
    cache = {
      regular: readGlyphWidths(readFileSync(join(dir, FILES.regular))),
      bold: readGlyphWidths(readFileSync(join(dir, FILES.bold))),
    };
  }
  return cache;
}

/** Width in pixels of `text` in the chart font (kerning ignored: it changes widths by well under 1%). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const { widths, fallback } = bold ? fontWidths().bold : fontWidths().regular;
  let em = 0;
  for (const ch of text) em += widths.get(ch.codePointAt(0)!) ?? fallback;
  return em * fontSize;
}
