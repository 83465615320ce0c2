import { fileTypeFromBuffer } from 'file-type';

/** RFC 9110 token characters. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";

/** RFC 9110 qdtext: tab, space, obs-text and visible characters except quote and backslash. */
const QDTEXT = '[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]';

/** RFC 9110 quoted-pair: a backslash and the character it escapes. */
const QUOTED_PAIR = '\\\\[\\t\\x20-\\x7e\\x80-\\xff]';

const QUOTED_STRING = `"(?:${QDTEXT}|${QUOTED_PAIR})*"`;

const PARAMETER = `${TOKEN}=(?:${TOKEN}|${QUOTED_STRING})`;

/** type "/" subtype, then parameters. RFC 9110 allows empty ones between semicolons. */
const MEDIA_TYPE = new RegExp(
  `^(${TOKEN})/(${TOKEN})((?:[ \\t]*;(?:[ \\t]*${PARAMETER})?)*)[ \\t]*$`,
);

/**
 * Returns the Content-Type header when it is a valid media type, else null. Type and subtype
 * are lowercased. Parameters such as charset are kept as sent, because they describe the bytes.
 */
export function parseContentType(header: string | undefined): string | null {
  const match = header === undefined ? null : MEDIA_TYPE.exec(header.trim());
  if (!match) return null;
  const [, type = '', subtype = '', parameters = ''] = match;
  return `${type.toLowerCase()}/${subtype.toLowerCase()}${parameters}`;
}

/**
 * Detects a media type from the first bytes of a file with file-type, or returns null when the
 * bytes match no known signature. A few kilobytes are enough for most formats.
 */
export async function sniffContentType(firstBytes: Uint8Array): Promise<string | null> {
  const detected = await fileTypeFromBuffer(firstBytes);
  return detected?.mime ?? null;
}
