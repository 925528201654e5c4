/**
 * Nominal typing for primitive values: a `Brand<string, 'X'>` is a string that has been
 * checked (or minted) as an X, so ids of different kinds cannot be swapped by accident.
 */
declare const brand: unique symbol

export type Brand<A, Name extends string> = A & { readonly [brand]: Name }
