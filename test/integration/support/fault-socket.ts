import { connect, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

const PRODUCE = 0;
/** Kafka's error code 45. */
export const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

/**
 * A kafkajs socket factory that talks to the real broker but can turn the next
 * `count` Produce responses into an error code after the broker has written the
 * batch: the failure kafkajs mishandles in the field (the batch is stored, the client
 * sees an error, and its idempotent producer cannot go on). Everything else passes
 * through untouched.
 */
export class ProduceFaults {
  private pending = 0;
  private code = OUT_OF_ORDER_SEQUENCE_NUMBER;
  injected = 0;

  /** Arms the next `count` Produce responses to carry `code` on every partition. */
  fail(count: number, code = OUT_OF_ORDER_SEQUENCE_NUMBER): void {
    this.pending = count;
    this.code = code;
  }

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    const produceVersions = new Map<number, number>(); // correlation id → Produce api version
    const write = socket.write.bind(socket) as Socket['write'];
    socket.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // kafkajs writes each request as one buffer: size, api key, api version, correlation id, ...
      if (buffer.length >= 12 && buffer.readInt16BE(4) === PRODUCE) produceVersions.set(buffer.readInt32BE(8), buffer.readInt16BE(6));
      return (write as (...args: unknown[]) => boolean)(buffer, ...rest);
    }) as Socket['write'];

    let inbound = Buffer.alloc(0);
    const emit = socket.emit.bind(socket) as Socket['emit'];
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (event !== 'data') return emit(event, ...args);
      inbound = Buffer.concat([inbound, args[0] as Buffer]);
      while (inbound.length >= 4 && inbound.length >= 4 + inbound.readInt32BE(0)) {
        const frame = Buffer.from(inbound.subarray(0, 4 + inbound.readInt32BE(0)));
        inbound = inbound.subarray(frame.length);
        const version = produceVersions.get(frame.readInt32BE(4));
        if (version !== undefined) {
          produceVersions.delete(frame.readInt32BE(4));
          if (this.pending > 0) {
            this.pending -= 1;
            this.injected += 1;
            this.rewriteErrors(frame, version);
          }
        }
        emit('data', frame);
      }
      return true;
    }) as Socket['emit'];
    return socket;
  };

  /** Produce response v3–v8: [topic name, [partition, error code, base offset, append time, (v5+) log start offset, …]]. */
  private rewriteErrors(frame: Buffer, version: number): void {
    let at = 8; // size, correlation id
    const topics = frame.readInt32BE(at);
    at += 4;
    for (let t = 0; t < topics; t++) {
      at += 2 + frame.readInt16BE(at);
      const partitions = frame.readInt32BE(at);
      at += 4;
      for (let p = 0; p < partitions; p++) {
        frame.writeInt16BE(this.code, at + 4);
        at += 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0);
        if (version >= 8) {
          const records = frame.readInt32BE(at);
          at += 4;
          for (let r = 0; r < Math.max(0, records); r++) at += 4 + 2 + Math.max(0, frame.readInt16BE(at + 4));
          at += 2 + Math.max(0, frame.readInt16BE(at));
        }
      }
    }
  }
}
