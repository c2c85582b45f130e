// What the user can do about each failure, beside the engine's message (which names the file and says
// what went wrong).
const HINTS: Record<string, string> = {
  INPUT_NOT_FOUND: 'Check that the file was not moved or deleted, then add it again.',
  INPUT_UNREADABLE: 'Check the file’s permissions, or copy it somewhere you can read and add the copy.',
  INPUT_EMPTY: 'The file has no content; export the image again from its source.',
  INPUT_CORRUPT: 'Open it in an image viewer; if it is damaged there too, export it again from its source.',
  INPUT_UNSUPPORTED: 'Convert it to PNG, JPEG, WebP or TIFF and add the converted file.',
  INPUT_TOO_LARGE: 'Scale the image down or crop it, then add it again.',
  OUTPUT_UNWRITABLE: 'Choose an output folder you can write to in Settings.',
  OUTPUT_DIR_MISSING: 'Choose an existing output folder in Settings.',
  OUTPUT_EXISTS: 'Retry: AEZ picks a new name.',
  MODEL_NOT_FOUND: 'Install the model (see the README) or pick the other model.',
  MODEL_CORRUPT: 'Reinstall the model files; they are damaged.',
  BACKEND: 'Retry; if it fails again, open Settings to see which compute backend is in use.',
  INTERNAL: 'Retry; if it happens again, please report it with the file that caused it.',
};

/** For .aez files the same codes mean something else: the file came from someone, not from a camera. */
const AEZ_HINTS: Record<string, string> = {
  INPUT_CORRUPT: 'The .aez file is damaged (a check failed); ask whoever sent it for a new copy.',
  INPUT_UNSUPPORTED: 'This is not an .aez file this version of AEZ reads (or it was written by a newer AEZ).',
  MODEL_NOT_FOUND: 'Install the model the file names (aez info shows it), then Retry.',
};

export function hintFor(code: string, name = ''): string | undefined {
  return (name.toLowerCase().endsWith('.aez') ? AEZ_HINTS[code] : undefined) ?? HINTS[code];
}

/** Failures a second try cannot fix (the file itself is the problem, or the engine is gone): no Retry. */
const FINAL = new Set(['INPUT_CORRUPT', 'INPUT_UNSUPPORTED', 'INPUT_EMPTY', 'INPUT_TOO_LARGE', 'DISCONNECTED']);

export function canRetry(code: string | undefined): boolean {
  return !code || !FINAL.has(code);
}
