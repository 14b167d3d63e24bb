// View-level state: which tool is open, dialogs, and the hidden file pickers App registers.

export type Tool = 'classify' | 'explain' | 'create' | 'train' | 'history' | 'models';
/** The tools in rail order; the digit keys 1–6 open them. */
export const TOOLS: readonly Tool[] = ['classify', 'explain', 'create', 'train', 'history', 'models'];

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
