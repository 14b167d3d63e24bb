// View-level state: which tool is open, dialogs, and the hidden file pickers App registers.

export type Tool =
  'classify' | 'explain' | 'create' | 'train' | 'history' | 'models' | 'graph' | 'activations' | 'playground' | 'projector';
/** The tools in rail order; the digit keys 1–9 and 0 open them. */
export const TOOLS: readonly Tool[] = [
  'classify',
  'explain',
  'create',
  'train',
  'history',
  'models',
  'graph',
  'activations',
  'playground',
  'projector',
];
/** The digit key that opens a tool (1–9, then 0 for the tenth). */
export const toolKey = (t: Tool): string => String((TOOLS.indexOf(t) + 1) % 10);

class Ui {
  tool = $state<Tool>('classify');
  shortcutsOpen = $state(false);
  /** Set by App: the hidden <input type=file> elements behind Open, Open folder and Import. */
  pickers: { files?: HTMLInputElement; folder?: HTMLInputElement; model?: HTMLInputElement } = {};

  openFiles(): void {
    this.pickers.files?.click();
  }
  openFolder(): void {
    this.pickers.folder?.click();
  }
  importModel(): void {
    this.pickers.model?.click();
  }
}

export const ui = new Ui();
