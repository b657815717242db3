import type { StreamEvent } from '../../core/events.js';

/** A keep-alive tick; encoders that support comments (SSE) turn it into one, others drop it. */
export interface HeartbeatFrame {
  type: 'heartbeat';
}

/**
 * The last frame of a stream whose reader fell too far behind: the server stops buffering for
 * it and closes; the reader reconnects with `from` and loses nothing persisted.
 */
export interface DisconnectedFrame {
  type: 'stream.disconnected';
  reason: 'lagging';
  /** The `seq` to reconnect from. */
  from: number;
  message: string;
}

/** What a stream sends: the runtime's events, keep-alive ticks and a lagging reader's last frame. */
export type StreamFrame = StreamEvent | HeartbeatFrame | DisconnectedFrame;
