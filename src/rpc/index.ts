export { type Balance, Balancer } from './balancer.js';
export { RpcError, type RpcErrorCode } from './errors.js';
export { checkProcedure, providerKey } from './names.js';
export { ProviderCache } from './provider-cache.js';
export type { CallContext, CallOptions, ProcedureHandler, RpcStats } from './types.js';
