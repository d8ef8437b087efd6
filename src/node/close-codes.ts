/** Application close codes the node uses on connections. */
export const CLOSE = { normal: 0, handshakeFailed: 0x10, duplicate: 0x11, stopping: 0x12 } as const;
