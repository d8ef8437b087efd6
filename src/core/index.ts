export { AbortError, MaculaError, TimeoutError } from './errors.js';
