/**
 * Live rules: a registry that serves one compiled RuleEngine at a time,
 * watches the pack directory (and lexicon files), recompiles on change and
 * swaps the engine in one assignment. A RuleEngine never changes once built,
 * so a review that took `registry.current` finishes on that version even if a
 * swap happens meanwhile, and records that version. A pack that fails to load
 * leaves the previous engine serving; the error (file, line, field) is kept in
 * `lastError` and passed to `onError`.
 *
 * Rules stored elsewhere (the compliance API's database) join through
 * `extraPacks`; call `reload()` after changing them.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Hit, ReviewInput, RuleMatcher } from '../review/types.js';
import type { PackInput } from './compile.js';
import { defaultRulesDir, loadRuleEngine, type RuleEngine, type RuleEngineOptions } from './engine.js';

export interface RuleRegistryOptions extends Omit<RuleEngineOptions, 'extraPacks'> {
  /** Packs from outside the directory (e.g. database rules), read on every reload. */
  extraPacks?: () => PackInput[];
  /** Quiet time after a file change before recompiling (default 150 ms). */
  debounceMs?: number;
  onReload?: (engine: RuleEngine) => void;
  onError?: (error: Error) => void;
}

export type ReloadResult = { ok: true; version: string; changed: boolean } | { ok: false; error: Error };

export class RuleRegistry implements RuleMatcher {
  private engine: RuleEngine;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The last failed reload's error, cleared by a successful one. */
  lastError: Error | null = null;

  /** Loads the rules now (throws if they cannot be loaded: there is nothing to fall back to yet). */
  constructor(private readonly opts: RuleRegistryOptions = {}) {
    this.engine = this.build();
  }

  /** The engine serving now. Take it once per review and use it throughout. */
  get current(): RuleEngine {
    return this.engine;
  }

  get version(): string {
    return this.engine.version;
  }

  scan(input: ReviewInput): Hit[] {
    return this.engine.scan(input);
  }

  private build(): RuleEngine {
    return loadRuleEngine({ ...this.opts, extraPacks: this.opts.extraPacks?.() ?? [] });
  }

  /** Recompiles now. On failure the previous engine keeps serving. */
  reload(): ReloadResult {
    try {
      const next = this.build();
      const changed = next.version !== this.engine.version;
      if (changed) this.engine = next;
      this.lastError = null;
      if (changed) this.opts.onReload?.(next);
      return { ok: true, version: next.version, changed };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.lastError = error;
      this.opts.onError?.(error);
      return { ok: false, error };
    }
  }

  /** Starts watching the pack directory and lexicon files; changes reload after a short debounce. */
  watch(): this {
    if (this.watchers.length > 0) return this;
    const dirs = new Set([this.opts.rulesDir ?? defaultRulesDir(), ...(this.opts.lexicons ?? []).map((f) => dirname(f))]);
    for (const dir of dirs) {
      const w = watch(dir, { persistent: false }, () => this.schedule());
      w.on('error', (err) => this.opts.onError?.(err));
      this.watchers.push(w);
    }
    return this;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload();
    }, this.opts.debounceMs ?? 150);
    this.timer.unref?.();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
