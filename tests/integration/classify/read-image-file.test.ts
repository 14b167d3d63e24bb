// readImageFile on real files: a FIFO named .jpg (mkfifo) fails at once, an oversized sparse file is refused before it
// is read, a normal file comes back whole.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../../main/image/read-file';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome('vs-read-image-');
afterAll(() => home.cleanup());

describe('readImageFile', () => {
  it('refuses a FIFO named photo.jpg without blocking', async () => {
    const fifo = path.join(home.dir, 'photo.jpg');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await expect(readImageFile(fifo)).rejects.toMatchObject({ code: 'bad_image', message: `${fifo}: not a regular file (a FIFO).` });
    expect(Date.now() - t0).toBeLessThan(1000);
  }, 5000);

  it('refuses a file over the limit before reading it, and reads a normal one', async () => {
    const big = path.join(home.dir, 'big.jpg');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 600 * 1024 * 1024); // sparse: no blocks on disk, no bytes read
    await expect(readImageFile(big)).rejects.toMatchObject({ code: 'image_too_large' });
    const small = path.join(home.dir, 'small.jpg');
    fs.writeFileSync(small, Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]));
    expect([...(await readImageFile(small))]).toEqual([0xff, 0xd8, 0xff, 1, 2, 3]);
    await expect(readImageFile(path.join(home.dir, 'none.jpg'))).rejects.toMatchObject({ code: 'not_found' });
  });
});
