/**
 * The key of a permit's `[Symbol.dispose]()`: `Symbol.dispose`, or where the runtime lacks it
 * (Node 20.0–20.3, some browsers) the key TypeScript's `using` falls back to.
 * @internal
 */
// The lib's types declare Symbol.dispose always present, hence the widening before `??`.
export const dispose: typeof Symbol.dispose = ((Symbol as { dispose?: typeof Symbol.dispose }).dispose ??
  Symbol.for('Symbol.dispose')) as typeof Symbol.dispose;
