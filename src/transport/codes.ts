/** Application codes both transports use for the same situations. */

/** A connection refused because the endpoint's accept queue is full (QUIC's CONNECTION_REFUSED). */
export const CONNECTION_REFUSED_CODE = 0x2;

/** A stream reset because the application's stream accept queue is full (as HTTP/3's REQUEST_REJECTED: not processed, safe to retry). */
export const STREAM_REFUSED_CODE = 0x10b;
