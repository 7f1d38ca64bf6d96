// The data given to a chart cannot be drawn (a study with nothing to plot, a training that diverged at once).
// The message is one line for the user; the CLI prints it with exit code 2.
export class ChartDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartDataError';
  }
}
