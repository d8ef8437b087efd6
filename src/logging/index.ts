export { type CreateLoggerOptions, createLogger, type LogDestination } from './create.js';
export { LOG_LEVELS, type LogFn, type Logger, type LogLevel, type LogSink, silentLogger } from './logger.js';
