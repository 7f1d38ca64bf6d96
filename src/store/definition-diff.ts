// Which fields of two stored study definitions differ: for the message that refuses a different definition
// under an existing name (every store).
import { jsonDifferences } from '../text/differences.js';

/** Which top-level fields of two definition texts differ (by their JSON text, so key order counts). */
export function describeDifference(storedText: string, givenText: string): string {
  const differing = jsonDifferences(JSON.parse(storedText), JSON.parse(givenText)).map((d) => d.path);
  if (differing.length)
    return `it differs in ${differing.slice(0, 5).join(', ')}${differing.length > 5 ? ', ...' : ''}`;
  return 'its fields are in another order';
}
