// The learning rate the range test suggests, and rates written as people write them.
import type { LrFindResult } from '../../../../main/api/contract';

/** Two significant digits, as the suggestion is shown: the field gets the number the button names. */
export const roundLr = (lr: number): number => Number(lr.toPrecision(2));
/** A learning rate as people write them: 0.2, 0.03, 7.6e-4. */
export const formatLr = (lr: number): string => (lr >= 0.01 ? String(roundLr(lr)) : roundLr(lr).toExponential(1).replace('e+', 'e'));

export interface LrSuggestion {
  lr: number;
  how: 'steepest' | 'minimum';
  steepest: number | null;
}

/**
 * The rate the range test suggests: the engine's steepest descent of the smoothed loss when it comes before the
 * lowest loss; else (no descent, or the steepest drop is noise in the blow-up past the minimum, which small
 * datasets give) the engine's other suggestion, a tenth of the lowest loss's rate.
 */
export function suggestLr(s: LrFindResult['suggestion'] | undefined): LrSuggestion | null {
  if (!s) return null;
  const atMinimum = s.minimumOver10 === null ? Infinity : s.minimumOver10 * 10;
  if (s.steepest !== null && s.steepest < atMinimum * (1 - 1e-9)) return { lr: roundLr(s.steepest), how: 'steepest', steepest: s.steepest };
  if (s.minimumOver10 !== null) return { lr: roundLr(s.minimumOver10), how: 'minimum', steepest: s.steepest };
  return null;
}
