// The one link to the engine: connects through whichever transport hosts us, fans events out, tracks liveness.
import {
  StudioError,
  type MethodName,
  type ParamsOf,
  type ResultOf,
  type StudioApi,
  type StudioEvent,
} from '../../../../main/api/contract';
import { connectStudio } from '../api';
import { errorMessage } from '../util/format';

export type AppInfo = ResultOf<'app.info'>;
type Listener = (event: StudioEvent) => void;

class Connection {
  api = $state.raw<StudioApi | null>(null);
  state = $state<'connecting' | 'open' | 'closed' | 'failed'>('connecting');
  error = $state('');
  info = $state.raw<AppInfo | null>(null);
  private listeners = new Set<Listener>();

  async connect(): Promise<void> {
    this.state = 'connecting';
    try {
      const api = await connectStudio();
      api.on((event) => this.dispatch(event));
      this.api = api;
      this.state = 'open';
      this.info = await api.call('app.info', {}).catch(() => null);
    } catch (e) {
      this.state = 'failed';
      this.error = errorMessage(e);
    }
  }

  private dispatch(event: StudioEvent): void {
    if (event.channel === 'connection') this.state = event.payload.state === 'closed' ? 'closed' : 'open';
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        console.error('event listener failed', e);
      }
    }
  }

  /** Subscribe to engine events; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (!this.api || this.state !== 'open') {
      return Promise.reject(new StudioError('internal', 'Not connected to the engine.'));
    }
    return this.api.call(method, params);
  }

  get transportLabel(): string {
    if (!this.api) return 'Engine';
    return this.api.transport === 'electron' ? 'Desktop engine' : 'Browser mode';
  }
}

export const connection = new Connection();
