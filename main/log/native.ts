// better-sqlite3 is a native addon built for one ABI. Node (tests, CLI) and Electron (the desktop engine runs in
// its utilityProcess) have different ABIs, so we keep one build per ABI and pick it at run time through the
// `nativeBinding` option: resources/native/<abi>/better_sqlite3.node when present (made by
// scripts/rebuild-electron-sqlite.js), else the default build in node_modules (Node's). See docs/architecture.md.
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../paths';

export function nativeBindingCandidates(abi = process.versions.modules): string[] {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  const roots = [process.env.VISION_STUDIO_NATIVE_DIR, packaged && path.join(packaged, 'native'), path.join(resourcesDir(), 'native')];
  return roots.filter((r): r is string => !!r).map((r) => path.join(r, abi, 'better_sqlite3.node'));
}

/** The addon built for this runtime's ABI, or undefined for better-sqlite3's own default build. */
export function nativeBinding(abi = process.versions.modules): string | undefined {
  return nativeBindingCandidates(abi).find((p) => fs.existsSync(p));
}
