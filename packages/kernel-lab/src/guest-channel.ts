import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/**
 * The host end of one virtio-serial port: a Unix socket that qemu connects to at start. It keeps everything
 * the guest wrote and passes each decoded chunk to a listener as it arrives.
 */
export class GuestChannel {
  readonly socketPath: string;
  private readonly server: Server;
  private readonly chunks: Buffer[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private socket: Socket | undefined;
  private ended: Promise<void> = Promise.resolve();

  private constructor(socketPath: string, server: Server, onText: ((text: string) => void) | undefined) {
    this.socketPath = socketPath;
    this.server = server;
    server.on('connection', (socket) => {
      this.socket = socket;
      this.ended = new Promise((resolve) => {
        socket.on('close', () => resolve());
      });
      socket.on('data', (chunk: Buffer) => {
        this.chunks.push(chunk);
        const text = this.decoder.write(chunk);
        if (text.length > 0) onText?.(text);
      });
      socket.on('error', () => undefined);
    });
  }

  /** Listens on `socketPath`; resolves once qemu can connect. */
  static async open(socketPath: string, onText?: (text: string) => void): Promise<GuestChannel> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return new GuestChannel(socketPath, server, onText);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Waits (at most `graceMs`) for qemu's side to close, so that nothing the guest wrote is lost, then stops listening. */
  async close(graceMs = 2000): Promise<void> {
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
