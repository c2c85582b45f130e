// Files from a drop. Dropped folders are walked recursively for images (hidden entries and other files
// are skipped); files dropped on their own all go to the host, which says why it refuses any of them.
import { INPUT_EXTS } from './formats.js';

const isImage = (name: string) => INPUT_EXTS.some((e) => name.toLowerCase().endsWith(e));
export async function filesFromDataTransfer(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null));
  if (entries.some((e) => e?.isDirectory)) {
    const out: File[] = [];
    for (const e of entries) if (e) await walk(e, out);
    return out;
  }
  return [...dt.files];
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.name.startsWith('.')) return;
  if (entry.isFile) {
    if (!isImage(entry.name)) return;
    out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most a batch at a time; call until it returns nothing.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) break;
    for (const e of batch.sort((a, b) => a.name.localeCompare(b.name))) await walk(e, out);
  }
}
