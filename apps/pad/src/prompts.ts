// The device's prompt stream (server-sent events). EventSource cannot send the signature
// headers, so the stream is read with fetch(); it is reopened, freshly signed, whenever it ends.
import { ApiError, type Prompt, signedFetch } from './api';
import type { Credentials } from './store';

export interface PromptHandlers {
  onPrompt: (prompt: Prompt) => void;
  onConnected: (connected: boolean) => void;
  /** The server refused the device (revoked, or its secret replaced): the stream stops. */
  onRefused: (error: ApiError) => void;
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export function watchPrompts(credentials: Credentials, handlers: PromptHandlers): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const onOnline = () => wake?.();
  window.addEventListener('online', onOnline);

  let lastPromptId: string | null = null;
  void (async () => {
    let retry = RETRY_MIN_MS;
    while (!stopped) {
      controller = new AbortController();
      let cleanEnd = false;
      try {
        const response = await signedFetch(
          credentials,
          'GET',
          '/api/v1/pad/prompts/stream',
          '',
          controller.signal,
          lastPromptId ? { 'Last-Event-ID': lastPromptId } : {},
        );
        if (!response.ok || !response.body) {
          const body = (await response.json().catch(() => ({}))) as { code?: string };
          const error = new ApiError({ status: response.status, code: body.code ?? `HTTP_${response.status}` });
          // A skewed clock or a request seen twice (a retry along the way) is tried again with a fresh signature.
          if (response.status === 401 && error.code !== 'TIMESTAMP_SKEW' && error.code !== 'SIGNATURE_REPLAYED') {
            handlers.onRefused(error);
            return;
          }
          throw error;
        }
        handlers.onConnected(true);
        retry = RETRY_MIN_MS;
        await readEvents(response.body, (event, data) => {
          if (event !== 'prompt') return;
          const prompt = JSON.parse(data) as Prompt;
          // Reconnecting, the server sends only a prompt newer than this one.
          lastPromptId = prompt.id;
          handlers.onPrompt(prompt);
        });
        cleanEnd = true;
      } catch {
        // unreachable or cut off: try again after a pause
      }
      handlers.onConnected(false);
      if (stopped) break;
      if (!cleanEnd) {
        await pause(retry);
        retry = Math.min(retry * 2, RETRY_MAX_MS);
      }
    }
  })();

  return () => {
    stopped = true;
    window.removeEventListener('online', onOnline);
    controller?.abort();
    wake?.();
  };
}

async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(event, data.join('\n'));
    }
  }
}
