/** opencc-js ships its dictionaries as `"from to|from to|…"` strings without type declarations. */
declare module 'opencc-js/dict/*' {
  const dict: string;
  export default dict;
}
