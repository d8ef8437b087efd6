import type { Address, EndpointOptions } from './types.js';

/** Calls `EndpointOptions.onHandshakeError`; a throwing hook must not disturb the transport. */
export function reportHandshakeError(
  hook: EndpointOptions['onHandshakeError'],
  remoteAddress: Address,
  error: unknown,
): void {
  if (!hook) return;
  try {
    hook({
      remoteAddress: { ...remoteAddress },
      error: error instanceof Error ? error : new Error(String(error)),
    });
  } catch {
    // The application's hook failed; the refused handshake is already counted in stats.
  }
}
