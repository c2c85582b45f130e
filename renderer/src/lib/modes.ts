// The app's modes in tab order: the header draws them in this order and Ctrl/⌘+1…6 follows it.
export const MODES = [
  { id: 'denoise', label: 'Denoise' },
  { id: 'compress', label: 'Compress' },
  { id: 'restore', label: 'Restore' },
  { id: 'inpaint', label: 'Inpaint' },
  { id: 'train', label: 'Train' },
  { id: 'explore', label: 'Explore' },
] as const;

export type ModeId = (typeof MODES)[number]['id'];
export type PageId = ModeId | 'settings';

/** The mode Ctrl/⌘+`key` opens, if any. */
export function modeForKey(key: string): ModeId | undefined {
  const i = Number(key) - 1;
  return Number.isInteger(i) && i >= 0 && i < MODES.length ? MODES[i].id : undefined;
}
