// The data given to a chart cannot be drawn (a study with nothing to plot, a training that diverged at once), or a
// chart cannot be written. The message is one line for the user; the CLI prints it with exit code 2.
import { XorlabError } from '../text/errors.js';

/** The data given to a chart cannot be drawn (no trials, no swept number, a training that diverged at once). */
export class ChartDataError extends XorlabError {
  constructor(message: string) {
    super(message);
    this.name = 'ChartDataError';
  }
}

/** A chart that cannot be written: an unknown format or file extension, an unwritable path. */
export class ChartFileError extends XorlabError {}
