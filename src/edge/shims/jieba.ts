/**
 * `@node-rs/jieba` for the Worker bundle (wrangler.toml `[alias]`): the same
 * `Jieba.withDict(dict).cut(text, hmm)` over jieba-wasm, whose built-in
 * dictionary is jieba's default one (the dictionary argument is ignored).
 * The WASM is imported as a compiled module: workerd refuses to compile WASM
 * from bytes at run time.
 */
import { cut, initSync } from 'jieba-wasm/web';
// jieba-wasm's exports map hides the .wasm file; wrangler turns it into a WebAssembly.Module.
import wasm from '../../../node_modules/jieba-wasm/pkg/web/jieba_rs_wasm_bg.wasm';

let ready = false;

export class Jieba {
  static withDict(_dict: Uint8Array): Jieba {
    if (!ready) {
      initSync({ module: wasm });
      ready = true;
    }
    return new Jieba();
  }

  cut(text: string, hmm?: boolean | null): string[] {
    return cut(text, hmm ?? false);
  }
}
