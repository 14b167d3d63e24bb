// Commands shared by buttons and keyboard shortcuts.
import { exportResults } from '../files/export';
import { classify } from './classify.svelte';
import { toasts } from './toasts.svelte';

export function exportNow(format: 'csv' | 'json'): void {
  const results = classify.results;
  if (results.length === 0) {
    toasts.info('Nothing to export yet', 'Classify some photos first; results export as CSV or JSON.');
    return;
  }
  const name = exportResults(results, format);
  toasts.success(`Exported ${results.length} result${results.length === 1 ? '' : 's'}`, name);
}
