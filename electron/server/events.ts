// Job events to every open page as Server-Sent Events (one-way is all the twin needs; requests go over
// plain HTTP), with a comment line now and then so idle proxies and browsers keep the stream open.
import type { ServerResponse } from 'node:http';
import type { JobEvent, TrainEvent } from '../shared/api.js';

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer = setInterval(() => this.write(': keep-alive\n\n'), 15_000).unref();

  attach(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** Job events as plain messages; training events under the event name `train`. */
  send(e: JobEvent | TrainEvent, name?: 'train'): void {
    this.write(`${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(e)}\n\n`);
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
}
