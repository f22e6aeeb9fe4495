/** Reads CSV as RFC 4180 writes it: quoted cells may hold commas, quotes and breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cellText = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cellText += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cellText += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(cellText);
      cellText = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cellText);
      records.push(record);
      record = [];
      cellText = '';
      i++;
    } else {
      cellText += c;
    }
  }
  if (cellText !== '' || record.length > 0) {
    record.push(cellText);
    records.push(record);
  }
  return records;
}
