// Folders dropped anywhere on a view (Train, Projector) become that view's dataset: the drag outline, a no-drop
// cursor while the view is busy, and the dropped folders walked into path + file pairs. The window-level photo
// intake never sees these drops (they stop here).
import { dropEntries, walkEntries, type PathFile } from './dataset-files';

export interface FolderDropTarget {
  /** A job is going: the drop is refused. */
  busy: () => boolean;
  /** Files are being dragged over the view (and it would take them): show the outline. */
  setOver: (over: boolean) => void;
  /** The dropped files; truncated when the walk stopped at walkEntries' cap. */
  take: (files: PathFile[], truncated: boolean) => void;
}

const isFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** Handlers for the view's dragenter/dragover/dragleave (onDrag) and drop (onDrop). */
export function folderDrop(target: FolderDropTarget): { onDrag: (e: DragEvent) => void; onDrop: (e: DragEvent) => void } {
  return {
    onDrag(e) {
      if (!isFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      if (e.dataTransfer) e.dataTransfer.dropEffect = target.busy() ? 'none' : 'copy';
      target.setOver(e.type !== 'dragleave' && !target.busy());
    },
    onDrop(e) {
      if (!isFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      e.stopPropagation();
      target.setOver(false);
      if (target.busy()) return;
      // The DataTransfer is readable only now: take its entries before any await.
      const { entries, loose } = dropEntries(e.dataTransfer);
      void walkEntries(entries).then(({ files, truncated }) => {
        target.take([...files, ...loose.map((file) => ({ path: file.name, file }))], truncated);
      });
    },
  };
}
