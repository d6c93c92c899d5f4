/**
 * Loads the parts of machine review (rule engine, classifier) the same way for
 * every transport: the embedded worker threads, BullMQ worker processes and
 * `lastgate scan` all use a Reviewer, so they review identically.
 *
 * Rules are live: the pack directory is watched, and a change is compiled and
 * swapped in atomically (a scan in progress finishes on the engine it started
 * with); a malformed pack is reported and the previous rules keep serving.
 * Rules changed through the compliance API arrive as an overlay with each job.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { MachineReviewerParts } from './processor.js';
import type { TextClassifier } from './types.js';
import type { RulesOverlay } from '../rules/overlay.js';
import type { RuleEngine } from '../rules/engine.js';
import type { PackInput } from '../rules/compile.js';
import type { Lexicon } from '../rules/lexicon.js';

export interface ReviewerOptions {
  /** Rule pack directory; default: the repo's `rules/`. */
  rulesDir?: string;
  /** Extra plain word lists loaded as `review` rules. */
  lexicons?: string[];
  /** Load the local classifier (default true). */
  classifier?: boolean;
  /** Watch the pack directory and reload on change (default true). */
  watch?: boolean;
}

const ENGINE_CACHE = 4;

export class Reviewer {
  private base: PackInput[];
  private generation = 0;
  private engines = new Map<string, RuleEngine>();
  private watcher: FSWatcher | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  /** The last reload error (file, line, field), if the current files do not compile. */
  lastError: string | null = null;

  private constructor(
    private readonly mods: { engine: typeof import('../rules/engine.js'); pack: typeof import('../rules/pack.js'); overlay: typeof import('../rules/overlay.js') },
    private readonly dir: string,
    private readonly lexicons: Lexicon[],
    readonly classifier: TextClassifier | null,
  ) {
    this.base = mods.pack.loadPackDir(dir);
  }

  static async load(opts: ReviewerOptions = {}): Promise<Reviewer> {
    const [engine, pack, overlay, lexicon] = await Promise.all([
      import('../rules/engine.js'),
      import('../rules/pack.js'),
      import('../rules/overlay.js'),
      import('../rules/lexicon.js'),
    ]);
    let classifier: TextClassifier | null = null;
    if (opts.classifier !== false) {
      const { loadClassifier } = await import('../classifier/index.js');
      classifier = await loadClassifier();
    }
    const r = new Reviewer({ engine, pack, overlay }, opts.rulesDir ?? engine.DEFAULT_RULES_DIR, (opts.lexicons ?? []).map(lexicon.loadLexicon), classifier);
    if (opts.watch !== false) r.watchDir();
    return r;
  }

  /** The rules engine for the current packs with `overlay` applied (compiled once, then cached). */
  rules(overlay?: RulesOverlay): RuleEngine {
    const key = `${this.generation}:${overlay?.version ?? ''}`;
    let e = this.engines.get(key);
    if (!e) {
      const packs = overlay && overlay.rules.length ? this.mods.overlay.applyOverlay(this.base, overlay) : this.base;
      e = this.mods.engine.createRuleEngine(packs, { lexicons: this.lexicons });
      this.engines.set(key, e);
      if (this.engines.size > ENGINE_CACHE) this.engines.delete(this.engines.keys().next().value!);
    }
    return e;
  }

  partsFor(overlay?: RulesOverlay): MachineReviewerParts {
    return { rules: this.rules(overlay), classifier: this.classifier };
  }

  /** Re-reads the pack directory; on error keeps the previous packs and records why. */
  reload(): boolean {
    try {
      const packs = this.mods.pack.loadPackDir(this.dir);
      // Compile before swapping, so a pack that parses but does not compile is refused too.
      this.mods.engine.createRuleEngine(packs, { lexicons: this.lexicons });
      this.base = packs;
      this.generation++;
      this.engines.clear();
      this.lastError = null;
      return true;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      console.error(`lastgate: rule packs not reloaded, previous rules keep serving: ${this.lastError}`);
      return false;
    }
  }

  private watchDir(): void {
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => {
        if (this.reloadTimer) clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => this.reload(), 100);
        this.reloadTimer.unref();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // A directory that cannot be watched is still served; changes need a restart.
    }
  }

  close(): void {
    this.watcher?.close();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }
}
