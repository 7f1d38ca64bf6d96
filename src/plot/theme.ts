// Shared look of every chart: one font that ships with the package (DejaVu Sans, from the dejavu-fonts-ttf npm
// package, so PNGs render the same on any machine), text sizes readable at 800 px, and greyscale-safe colours.
import type { Config } from 'vega-lite';

export const FONT = 'DejaVu Sans';

/** Width of a single-panel chart's plotting area; with axes and legend the picture is about 800 px wide. */
export const PLOT_WIDTH = 620;

/** Dark-to-light colours taken from viridis: each differs in lightness, so they stay apart in greyscale. */
export const VIRIDIS_STEPS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'] as const;
/** The measured minimum: a viridis-like green dark enough for its label to read on white (4.95:1, WCAG AA for text;
 * viridis' own #1f9e66 was 3.4:1), drawn dashed so it differs from the black Xavier rule in greyscale too. */
export const MINIMUM_GREEN = '#18804f';
/** A weight's sign, in the CLI's network diagram and the playground's alike (colour-blind safe; negative ones are also
 * dashed where drawn as lines). */
export const WEIGHT_POSITIVE = '#2166ac';
export const WEIGHT_NEGATIVE = '#d6604d';
/** The ring around a mean that leaves out many diverged trials. */
export const MARKED_RED = '#b2182b';

export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 12,
  view: { stroke: '#bbbbbb' },
  axis: { labelFontSize: 13, titleFontSize: 14, titleFontWeight: 'normal', gridColor: '#e6e6e6', titlePadding: 8 },
  legend: { labelFontSize: 13, titleFontSize: 13, titleFontWeight: 'normal', symbolStrokeWidth: 2 },
  title: {
    fontSize: 16,
    subtitleFontSize: 13,
    anchor: 'start',
    fontWeight: 'bold',
    subtitleColor: '#444444',
    offset: 10,
  },
  header: { labelFontSize: 14, titleFontSize: 14 },
  text: { fontSize: 13 },
};
