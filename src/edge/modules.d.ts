/** Modules wrangler bundles by rule (wrangler.toml `rules`): text and compiled WebAssembly. */
declare module '*.yaml' {
  const text: string;
  export default text;
}
declare module '*.txt' {
  const text: string;
  export default text;
}
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
