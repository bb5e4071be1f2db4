/** Which parser an object needs, read off its first bytes (after decompression). */
export type ObjectFormat = 'azure-json' | 'aws-text';

export function detectFormat(head: Uint8Array): ObjectFormat {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  // A flow log text line starts with a field name (header) or a value; never with '{' or '['.
  return head[i] === 0x7b || head[i] === 0x5b ? 'azure-json' : 'aws-text';
}
