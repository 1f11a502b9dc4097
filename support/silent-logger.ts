/** A Logger that writes nothing, for tests and benchmarks that call jobs directly. */
import type { Logger } from '../src/logging/logger.js';

export const silentLogger: Logger = {
  error() {},
  warn() {},
  success() {},
  info() {},
  debug() {},
  errorToFile() {},
  async close() {},
};
