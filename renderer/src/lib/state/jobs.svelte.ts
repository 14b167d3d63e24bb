// Every job the engine reports (downloads, batches), kept from its events so any view can show its progress.
import type { JobEvent } from '../../../../main/api/contract';
import { connection } from './connection.svelte';

export interface JobView {
  id: string;
  kind: string;
  label: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  fraction: number;
  etaSeconds: number | null;
  message?: string;
  error?: string;
}

class Jobs {
  byId = $state<Record<string, JobView>>({});
  active = $derived(Object.values(this.byId).filter((j) => j.state === 'queued' || j.state === 'running'));

  constructor() {
    connection.onEvent((e) => {
      if (e.channel === 'job') this.handle(e.payload);
    });
  }

  private ensure(jobId: string): JobView {
    this.byId[jobId] ??= { id: jobId, kind: '', label: '', state: 'queued', fraction: 0, etaSeconds: null };
    return this.byId[jobId];
  }

  handle(e: JobEvent): void {
    const job = this.ensure(e.jobId);
    switch (e.type) {
      case 'queued':
        job.kind = e.kind;
        job.label = e.label;
        break;
      case 'started':
        job.state = 'running';
        break;
      case 'progress':
        job.state = 'running';
        job.fraction = e.fraction;
        job.etaSeconds = e.etaSeconds;
        if (e.message) job.message = e.message;
        break;
      case 'done':
      case 'cancelled':
        job.state = e.type;
        if (e.type === 'done') job.fraction = 1;
        this.forgetLater(e.jobId);
        break;
      case 'failed':
        job.state = 'failed';
        job.error = e.error.message;
        this.forgetLater(e.jobId);
        break;
    }
  }

  private forgetLater(jobId: string): void {
    setTimeout(() => delete this.byId[jobId], 8_000);
  }

  async cancel(jobId: string): Promise<void> {
    await connection.call('jobs.cancel', { jobId });
  }
}

export const jobs = new Jobs();
