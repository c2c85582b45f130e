// FNV-1a, 32-bit: a fixed, platform-independent hash of a string, for seeds and splits that must not
// depend on load order or machine.
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
