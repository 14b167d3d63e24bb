// What a drag in progress will do, from what the browser reveals before the drop (MIME types, not names).

export interface DragHint {
  title: string;
  detail: string;
}

export function isFileDrag(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types).includes('Files');
}

export function describeDrag(dt: DataTransfer, modelName: string | null): DragHint {
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === 'file');
  const n = items.length;
  const images = items.filter((i) => i.type.startsWith('image/')).length;
  const using = modelName ? `with ${modelName}` : '';
  if (n > 0 && images === n) {
    if (!modelName)
      return {
        title: n === 1 ? 'Drop the photo' : `Drop ${n} photos`,
        detail: 'No model is on disk yet: download or import one to classify.',
      };
    return n === 1
      ? { title: 'Drop to classify this photo', detail: `Top-5 labels ${using}.` }
      : { title: `Drop to classify ${n} photos`, detail: `A batch ${using}, with a results grid you can export.` };
  }
  return {
    title: n > 1 ? `Drop ${n} items` : 'Drop to open',
    detail:
      'Photos are classified, folders are searched for photos, .onnx files are imported as models (a .json sidecar with the same name goes with them).',
  };
}
