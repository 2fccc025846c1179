import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';

/*
 * A real redis-server for the Redis suites: each suite starts its own on a free loopback port, in
 * a temporary directory, without persistence (as the gates expect of a server that may restart),
 * and stops it in afterAll. jest.config.js leaves spec/redis/ out, with one line saying so, when
 * redis-server is not installed (and under CI=true lets it fail here instead).
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class RedisServer {
  private process: ChildProcess | null = null;
  private readonly clients = new Set<Redis>();

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts a server on a free port; resolves once it accepts connections. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'rxc-redis-')));
    await server.launch();
    return server;
  }

  /** A client of this server, closed by `stop()`. */
  client(options: RedisOptions = {}): Redis {
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: false, ...options });
    client.on('error', () => undefined);
    this.clients.add(client);
    return client;
  }

  /**
   * Resolves once the server is old enough for a gate of `leaseMs` to grant: a server younger than
   * a lease (and a second) may have forgotten holders, so a gate waits that long after a start.
   */
  async aged(leaseMs: number): Promise<void> {
    const admin = this.client();
    try {
      for (;;) {
        const uptime = Number(/uptime_in_seconds:(\d+)/.exec(await admin.info('server'))![1]);
        if (uptime * 1000 >= leaseMs + 1000) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      admin.disconnect();
      this.clients.delete(admin);
    }
  }

  /** Kills the server (its data is gone: no persistence) and starts it again on the same port. */
  async restart(downMs = 0): Promise<void> {
    await this.halt();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  /** Closes every client made here, then stops the server and removes its directory. */
  async stop(): Promise<void> {
    // Each client's 'end' also closes the pub/sub connection the gates made from it. A client
    // waiting to reconnect ends without a connection to close, and may say nothing: 200 ms at most.
    await Promise.all(
      [...this.clients].map((client) =>
        client.status === 'end'
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 200);
              client.once('end', () => {
                clearTimeout(timer);
                resolve();
              });
              client.disconnect();
            }),
      ),
    );
    this.clients.clear();
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--save', '', '--appendonly', 'no', '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.resume();
      child.on('error', (error) =>
        reject(new Error(`redis-server could not start (${error.message}): install it with apt-get install redis-server`)),
      );
      child.on('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready: ${output}`)));
    });
  }

  private halt(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child?.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // 'close': exited and its output pipes closed, so nothing of it keeps jest waiting.
      child.on('close', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
