/** Control characters in text that ends up in file names, topics, queries or arguments. */

/** True when `s` holds a C0 control character (U+0000 to U+001F), or U+007F (DEL) when `del` is set. */
export function hasControlChar(s: string, del = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (del && c === 0x7f)) return true;
  }
  return false;
}
