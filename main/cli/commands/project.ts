// vision-studio project: a folder's embeddings laid out by PCA, UMAP or t-SNE (SCAFFOLD: built under #11).
import { EXIT, stdio, type CliIO } from '../io.js';

export const projectHelp = `Usage: vision-studio project --data DIR --model M --method pca|umap|tsne --out points.json [--json]`;

export async function projectCommand(_argv: string[], io: CliIO = stdio): Promise<number> {
  io.err('vision-studio project: not built yet');
  return EXIT.failure;
}
