/**
 * The model the server answers with, kept current without a restart. Unless a version is pinned,
 * it follows the registry's champion: it watches the registry folder (and polls, for file systems
 * whose events do not arrive), and when the champion pointer names another version it loads that
 * version whole, checksum verified, and only then swaps it in, in one assignment. A request takes
 * the model once when it starts, so no answer ever mixes two models or sees a half-loaded one; a
 * version that fails to load is logged and skipped, and the model before it goes on serving.
 */
import { secondsSince } from '../common/elapsed.js';
import { watch, type FSWatcher } from 'node:fs';
import { isVersionId } from '../registry/version-id.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { Logger } from '../logging/logger.js';
import type { ServedModel } from './scoring.js';

export interface ModelKeeperOptions {
  registry: ModelRegistry;
  /** A version or a model path to serve for good; undefined follows the champion. */
  pinned?: string;
  cwd: string;
  /** How often the champion pointer is read again, in milliseconds. */
  pollMs: number;
  log: Logger;
  /** After each swap (metrics follow the model). */
  onSwap?: (served: ServedModel) => void;
  /** After a version failed to load. */
  onFailure?: (version: string, error: Error) => void;
}

export class ModelKeeper {
  private served: ServedModel | null = null;
  private champion: string | null = null;
  /** The last version that failed to load, not tried again until the champion changes. */
  private failed: { version: string; message: string } | null = null;
  /** Why the champion pointer could not be read at the last look. */
  private pointerProblem: string | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;

  constructor(private readonly options: ModelKeeperOptions) {}

  /** The model to answer with now; null until one is loaded. */
  get current(): ServedModel | null {
    return this.served;
  }

  /** What the champion pointer named at the last look (null when there is none, or pinned). */
  get championVersion(): string | null {
    return this.champion;
  }

  /** Why the newest champion is not the one served, when it failed to load. */
  get loadFailure(): { version: string; message: string } | null {
    return this.failed;
  }

  /**
   * Loads the first model. A pinned model that cannot be loaded is an error here; a registry
   * without a champion is not: the server starts unready and serves the first one promoted.
   */
  async start(): Promise<void> {
    const { pinned, registry, cwd } = this.options;
    if (pinned !== undefined) {
      const loaded = await registry.find(pinned, cwd);
      const metadata = isVersionId(pinned)
        ? await registry.metadata(pinned)
        : await registry.metadataBeside(loaded.path).catch(() => null);
      this.swap({ ...loaded, version: loaded.model.version, metadata, loadedAt: new Date() });
      return;
    }
    await this.check();
    if (this.served === null && this.pointerProblem === null) {
      this.options.log.warn(
        `no champion model in ${registry.dir} yet: not ready until one is promoted ` +
          '(churn train, or churn models promote VERSION)',
      );
    }
    this.timer = setInterval(() => void this.check(), this.options.pollMs);
    this.timer.unref();
    try {
      // The pointer is replaced by a rename inside the folder: the folder sees it at once.
      this.watcher = watch(registry.dir, () => void this.check());
      this.watcher.on('error', () => this.stopWatching());
      this.watcher.unref();
    } catch {
      // No folder yet, or no file events here: polling alone finds the champion.
    }
  }

  /** Reads the champion pointer and swaps in the version it names, if new. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.follow().then(
          () => (this.pointerProblem = null),
          (error: Error) => {
            // Said once, not at every look: the pointer stays damaged until someone repairs it.
            if (error.message !== this.pointerProblem) {
              this.options.log.error(`cannot read the champion pointer: ${error.message}`);
            }
            this.pointerProblem = error.message;
          },
        );
      } while (this.again);
      this.checking = null;
    })();
    return this.checking;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopWatching();
  }

  private async follow(): Promise<void> {
    const { registry, log } = this.options;
    const version = await registry.championVersion();
    this.champion = version;
    if (version === null || version === this.served?.version) return;
    if (version === this.failed?.version) return;
    const started = performance.now();
    try {
      const loaded = await registry.load(version);
      this.swap({ ...loaded, version, loadedAt: new Date() });
      this.failed = null;
      log.info('serving a new model', {
        version,
        seconds: secondsSince(started),
      });
    } catch (error) {
      this.failed = { version, message: (error as Error).message };
      log.error(
        `cannot load the new champion ${version}: ${(error as Error).message}; ` +
          (this.served ? `still serving ${this.served.version}` : 'not ready'),
      );
      this.options.onFailure?.(version, error as Error);
    }
  }

  private swap(served: ServedModel): void {
    this.served = served;
    this.options.onSwap?.(served);
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
