// The installed codec a compress request uses unless it names another (kept apart so the CLI can show it in
// its help without loading the codec).
export const DEFAULT_CODEC_MODEL = 'codec';
