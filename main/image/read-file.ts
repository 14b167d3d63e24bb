// Reading an image file named on a command line or found in a folder: a regular file of at most MAX_FILE_BYTES,
// checked on the open descriptor before a byte is read. Opened non-blocking, so a FIFO named photo.jpg fails at once
// instead of holding a thread (and with it the whole batch) forever, and a 600 MB file is refused without reading it.
import fs from 'node:fs';
import { StudioError } from '../api/contract';
import { MAX_FILE_BYTES } from './decode';

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0; // absent on Windows, which has no FIFOs in the file system

export async function readImageFile(file: string, maxBytes = MAX_FILE_BYTES): Promise<Uint8Array> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StudioError(
      'not_found',
      `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`,
    );
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new StudioError('bad_image', `${file}: not a regular file (${st.isFIFO() ? 'a FIFO' : 'a folder or device'}).`);
    if (st.size > maxBytes) throw new StudioError('image_too_large', `${file}: the file is larger than ${maxBytes >> 20} MB.`);
    const out = new Uint8Array(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await handle.read(out, off, st.size - off, off);
      if (bytesRead === 0) break; // shrank while we read
      off += bytesRead;
    }
    return off === st.size ? out : out.subarray(0, off);
  } finally {
    await handle.close();
  }
}
