/** JSON values as stored: the store never interprets them. */
export type Json =
  null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
