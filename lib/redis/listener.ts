import { Observable } from 'rxjs';
import type { StateFeed } from '../internal/stateFeed';
import type { RedisLike, RedisSubscriberLike } from './types';

/** What a subscribed channel's messages and reconnections are told to. @internal */
export interface Handler {
  message(text: string): void;
  /** The connection came back: messages published meanwhile are lost, look again. */
  reconnected(): void;
}

interface Channel {
  readonly handlers: Set<Handler>;
  /** Resolves when Redis confirmed the subscription (of this connection). */
  subscribed: Promise<void> | null;
  confirmed: boolean;
}

/** A gate of this client, as its grants reach it. @internal */
export interface Grantee {
  /** Redis granted `token` (a waiter of this gate). */
  granted(token: string): void;
  reconnected(): void;
}

/**
 * The grants of every gate of one client under one prefix arrive on one channel,
 * `<prefix>:g:<listener id>`, subscribed once and kept: a gate that starts waiting again needs no
 * new subscription, only an entry here (the part of a token before its last `.`).
 */
class GrantChannel implements Handler {
  readonly gates = new Map<string, Grantee>();

  message(token: string): void {
    this.gates.get(token.slice(0, token.lastIndexOf('.')))?.granted(token);
  }

  reconnected(): void {
    for (const gate of this.gates.values()) gate.reconnected();
  }
}

/**
 * The pub/sub side of the gates of one client: one connection made by `duplicate()` when the
 * first waiter or `state$` observer needs it, subscribed to the channels of this process. It is
 * closed when the client ends (ioredis's `'end'`, after `quit()` or `disconnect()`), so it never
 * keeps a process alive that closed its own connection; a later wait opens it again.
 * @internal
 */
export class Listener {
  /** Names this process's grant channels; random, so two processes never share one. */
  readonly id = crypto.randomUUID();
  private connection: RedisSubscriberLike | null = null;
  private readonly channels = new Map<string, Channel>();
  private readonly grantChannels = new Map<string, GrantChannel>();
  private opened = false;
  /** Told when the client ends: gates with a timer still armed while they are idle. */
  readonly ending = new Set<{ ended(): void }>();

  constructor(private readonly redis: RedisLike) {
    redis.on?.('end', () => {
      this.close();
      for (const gate of this.ending) gate.ended();
    });
  }

  /** Routes the grants of `route` (a gate of this client) under `prefix` to `gate`; no I/O. */
  route(prefix: string, route: string, gate: Grantee): void {
    this.grantsUnder(prefix).gates.set(route, gate);
  }

  /** Stops routing grants to `route` (the gate has nothing left in Redis). */
  unroute(prefix: string, route: string): void {
    this.grantChannels.get(prefix)?.gates.delete(route);
  }

  /** True when this process is subscribed (confirmed) to its grant channel under `prefix`. */
  hears(prefix: string): boolean {
    return this.channels.get(this.grantChannel(prefix))?.confirmed === true;
  }

  /** Subscribes this process to its grant channel under `prefix`; resolves once confirmed. */
  hear(prefix: string): Promise<void> {
    return this.listen(this.grantChannel(prefix), this.grantsUnder(prefix));
  }

  private grantChannel(prefix: string): string {
    return `${prefix}:g:${this.id}`;
  }

  private grantsUnder(prefix: string): GrantChannel {
    let channel = this.grantChannels.get(prefix);
    if (channel === undefined) this.grantChannels.set(prefix, (channel = new GrantChannel()));
    return channel;
  }

  /** Subscribes `handler` to `name`; resolves once Redis confirmed it (never rejects). */
  listen(name: string, handler: Handler): Promise<void> {
    let channel = this.channels.get(name);
    if (channel === undefined) this.channels.set(name, (channel = { handlers: new Set(), subscribed: null, confirmed: false }));
    channel.handlers.add(handler);
    return (channel.subscribed ??= this.subscribe(name, channel));
  }

  /** Unsubscribes `handler` from `name`; the channel itself once nobody listens. */
  unlisten(name: string, handler: Handler): void {
    const channel = this.channels.get(name);
    if (channel === undefined || !channel.handlers.delete(handler) || channel.handlers.size > 0) return;
    this.channels.delete(name);
    if (channel.subscribed !== null) this.connection?.unsubscribe(name).catch(() => undefined);
  }

  private subscribe(name: string, channel: Channel): Promise<void> {
    const connection = this.open();
    return connection.subscribe(name).then(
      () => {
        channel.confirmed = this.connection === connection;
      },
      // The channel stays unconfirmed: its gates learn of their grants from their own refreshes
      // (at most refreshMs late) until the next reconnection subscribes again.
      () => undefined,
    );
  }

  private open(): RedisSubscriberLike {
    if (this.connection !== null) return this.connection;
    const connection = (this.connection = this.redis.duplicate());
    this.opened = false;
    connection.on('message', (name, text) => {
      const channel = this.channels.get(name);
      if (channel !== undefined) for (const handler of channel.handlers) handler.message(text);
    });
    // Errors of this connection also reach the gates as failed refreshes or lost leases; one
    // listener keeps the client from printing them as unhandled.
    connection.on('error', () => undefined);
    connection.on('ready', () => {
      if (this.connection !== connection) return;
      if (!this.opened) {
        this.opened = true;
        return;
      }
      // Reconnected: subscribe again (ioredis does too; twice is harmless), then let every
      // handler look for what it missed.
      for (const [name, channel] of this.channels) {
        channel.confirmed = false;
        channel.subscribed = this.subscribe(name, channel).then(() => {
          for (const handler of channel.handlers) handler.reconnected();
        });
      }
    });
    return connection;
  }

  private close(): void {
    const connection = this.connection;
    if (connection === null) return;
    this.connection = null;
    for (const channel of this.channels.values()) {
      channel.subscribed = null;
      channel.confirmed = false;
    }
    connection.disconnect();
  }
}

const listeners = new WeakMap<RedisLike, Listener>();

/** The listener of `redis`, made on first use. @internal */
export function listenerOf(redis: RedisLike): Listener {
  let listener = listeners.get(redis);
  if (listener === undefined) listeners.set(redis, (listener = new Listener(redis)));
  return listener;
}

/**
 * The `state$` of a Redis gate: `feed`'s, with `channel` (where every process publishes the
 * changes it makes) listened to while anyone observes it, and `fetch` asking Redis for the state
 * once the subscription is confirmed and after a reconnection (what was published meanwhile is lost).
 * @internal
 */
export function fleetState<S extends object>(
  listener: Listener,
  channel: string,
  feed: StateFeed<S>,
  message: (text: string) => void,
  fetch: () => void,
): Observable<S> {
  let observers = 0;
  const handler: Handler = { message, reconnected: fetch };
  return new Observable<S>((subscriber) => {
    if (observers++ === 0) void listener.listen(channel, handler).then(fetch);
    const subscription = feed.state$.subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      if (--observers === 0) listener.unlisten(channel, handler);
    };
  });
}
