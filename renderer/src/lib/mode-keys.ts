// The keys every queue mode shares: Ctrl/⌘+Enter runs what is ready, Escape cancels the running queue.
import type { Queue } from './queue.svelte.js';

export function queueModeKeys(queue: Queue, start: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      start();
    } else if (e.key === 'Escape' && queue.busy) {
      queue.cancelAll();
    }
  };
}
