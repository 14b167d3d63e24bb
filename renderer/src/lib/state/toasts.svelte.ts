// Transient notices in the corner. Errors linger longer and are announced assertively.

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  title: string;
  detail?: string;
}

class Toasts {
  items = $state<Toast[]>([]);
  private nextId = 1;

  push(kind: Toast['kind'], title: string, detail?: string): number {
    const id = this.nextId++;
    this.items.push({ id, kind, title, detail });
    if (this.items.length > 5) this.items.shift();
    setTimeout(() => this.dismiss(id), kind === 'error' ? 12_000 : 5_000);
    return id;
  }

  error(title: string, detail?: string): number {
    return this.push('error', title, detail);
  }
  info(title: string, detail?: string): number {
    return this.push('info', title, detail);
  }
  success(title: string, detail?: string): number {
    return this.push('success', title, detail);
  }

  dismiss(id: number): void {
    const i = this.items.findIndex((t) => t.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
}

export const toasts = new Toasts();
