/**
 * Docs with a generated part keep it between two marker comments; the generators replace what
 * lies between them, and the tests check the committed text equals a fresh rendering.
 */

export interface SectionMarkers {
  begin: string;
  end: string;
}

/** The document with the text between the markers replaced by `content`. */
export function replaceSection(
  document: string,
  markers: SectionMarkers,
  content: string,
  path: string,
): string {
  const start = document.indexOf(markers.begin);
  const end = document.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`${path} lacks the markers ${markers.begin}`);
  return `${document.slice(0, start + markers.begin.length)}\n${content}\n${document.slice(end)}`;
}
