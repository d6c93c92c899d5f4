/**
 * Loads the parts of machine review (rule engine, classifier) the same way for
 * every transport: the embedded worker threads, BullMQ worker processes and
 * `lastgate scan` all use a Reviewer, so they review identically.
 *
 * Rules are live: the pack directory is watched by a RuleRegistry, which
 * compiles a change and swaps it in atomically (a scan in progress finishes on
 * the engine it started with); a malformed pack is reported and the previous
 * rules keep serving. Rules changed through the compliance API arrive as an
 * overlay with each job.
 */
import type { MachineReviewerParts } from './processor.js';
import type { TextClassifier } from './types.js';
import type { RulesOverlay } from '../rules/overlay.js';
import type { RuleEngine } from '../rules/engine.js';
import type { RuleRegistry } from '../rules/registry.js';
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

type Mods = {
  engine: typeof import('../rules/engine.js');
  pack: typeof import('../rules/pack.js');
  overlay: typeof import('../rules/overlay.js');
};

export class Reviewer {
  /** Engines for non-empty overlays, keyed by base version and overlay version. */
  private engines = new Map<string, RuleEngine>();

  private constructor(
    private readonly mods: Mods,
    /** The file packs: watched, recompiled and swapped atomically (rules/registry.ts). */
    readonly registry: RuleRegistry,
    private readonly dir: string,
    private readonly lexicons: Lexicon[],
    readonly classifier: TextClassifier | null,
  ) {}

  static async load(opts: ReviewerOptions = {}): Promise<Reviewer> {
    const [engine, pack, overlay, lexicon, registry] = await Promise.all([
      import('../rules/engine.js'),
      import('../rules/pack.js'),
      import('../rules/overlay.js'),
      import('../rules/lexicon.js'),
      import('../rules/registry.js'),
    ]);
    let classifier: TextClassifier | null = null;
    if (opts.classifier !== false) {
      const { loadClassifier } = await import('../classifier/index.js');
      classifier = await loadClassifier();
    }
    const dir = opts.rulesDir ?? engine.defaultRulesDir();
    const reg = new registry.RuleRegistry({
      rulesDir: dir,
      ...(opts.lexicons ? { lexicons: opts.lexicons } : {}),
      onError: (err) => console.error(`lastgate: rule packs not reloaded, previous rules keep serving: ${err.message}`),
    });
    if (opts.watch !== false) reg.watch();
    return new Reviewer({ engine, pack, overlay }, reg, dir, (opts.lexicons ?? []).map(lexicon.loadLexicon), classifier);
  }

  /**
   * The engine for the current packs with `overlay` applied. Without an
   * overlay it is the registry's engine of the moment; with one it is
   * compiled once per (packs version, overlay version) and cached.
   */
  rules(overlay?: RulesOverlay): RuleEngine {
    const base = this.registry.current;
    if (!overlay || overlay.rules.length === 0) return base;
    const key = `${base.version}:${overlay.version}`;
    let e = this.engines.get(key);
    if (!e) {
      e = this.mods.engine.createRuleEngine(this.mods.overlay.applyOverlay(this.mods.pack.loadPackDir(this.dir), overlay), { lexicons: this.lexicons });
      this.engines.set(key, e);
      if (this.engines.size > ENGINE_CACHE) this.engines.delete(this.engines.keys().next().value!);
    }
    return e;
  }

  /** One fixed engine per job, so the version recorded is the one that scanned. */
  partsFor(overlay?: RulesOverlay): MachineReviewerParts {
    return { rules: this.rules(overlay), classifier: this.classifier };
  }

  close(): void {
    this.registry.close();
  }
}
