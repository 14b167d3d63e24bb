// Turns a drop (files and folders), a paste or a file dialog into a flat, sorted list of named files.
// A drop's DataTransfer is only readable during the event, so `entriesFromDrop` must run synchronously
// inside the handler; walking folders happens afterwards.

export interface NamedFile {
  /** Path relative to what was dropped, e.g. "holiday/beach.jpg" for a dropped folder. */
  name: string;
  file: File;
}

type Source = { entry: FileSystemEntry } | { file: File };

/** Grab everything from the drop before the event ends. */
export function entriesFromDrop(dt: DataTransfer): Source[] {
  const out: Source[] = [];
  const items = dt.items ? Array.from(dt.items) : [];
  if (items.length > 0) {
    for (const item of items) {
      if (item.kind !== 'file') continue;
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      if (entry) out.push({ entry });
      else {
        const file = item.getAsFile();
        if (file) out.push({ file });
      }
    }
    return out;
  }
  for (const file of Array.from(dt.files ?? [])) out.push({ file });
  return out;
}

const MAX_FILES = 5000;

/** Resolve entries (walking folders) into files. Hidden files (".DS_Store") are skipped. */
export async function collectFiles(sources: Source[]): Promise<{ files: NamedFile[]; truncated: boolean }> {
  const files: NamedFile[] = [];
  let truncated = false;
  const visit = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (files.length >= MAX_FILES) {
      truncated = true;
      return;
    }
    if (entry.name.startsWith('.')) return;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push({ name, file });
    } else if (entry.isDirectory) {
      for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await visit(child, name);
    }
  };
  for (const s of sources) {
    if ('entry' in s) await visit(s.entry, '');
    else if (files.length < MAX_FILES) files.push({ name: s.file.name || 'untitled', file: s.file });
    else truncated = true;
  }
  files.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return { files, truncated };
}

/** readEntries returns results in chunks (100 in Chromium): call it until it returns nothing. */
async function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) return all;
    all.push(...chunk);
  }
}

export function fromFileList(list: FileList | File[]): NamedFile[] {
  return Array.from(list).map((file) => ({ name: file.webkitRelativePath || file.name || 'untitled', file }));
}

export async function bytesOf(f: NamedFile): Promise<{ name: string; bytes: Uint8Array }> {
  return { name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) };
}
