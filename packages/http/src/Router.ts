/**
 * Matches a request path against route patterns made of literal segments and `{name}` parameters.
 * A segment may mix both: `{callConnectionId}:play` is a parameter followed by the literal `:play`
 * (the ACS action suffix). Parameters match one non-empty segment and are percent-decoded.
 * Among the patterns that match, the most specific wins (the most literal characters), so
 * `/calling/callConnections/{id}:play` beats `/calling/callConnections/{id}` for `/…/abc:play`.
 */

interface Segment {
  readonly prefix: string
  /** null: the segment is the literal `prefix` only. */
  readonly param: string | null
  readonly suffix: string
}

export interface Compiled<A> {
  readonly method: string
  readonly pattern: string
  readonly segments: ReadonlyArray<Segment>
  readonly literals: number
  readonly value: A
}

const segmentOf = (s: string): Segment => {
  const open = s.indexOf('{')
  if (open < 0) return { prefix: s, param: null, suffix: '' }
  const close = s.indexOf('}', open)
  if (close < 0) throw new Error(`unclosed parameter in path segment "${s}"`)
  return { prefix: s.slice(0, open), param: s.slice(open + 1, close), suffix: s.slice(close + 1) }
}

export const compile = <A>(method: string, pattern: string, value: A): Compiled<A> => {
  if (!pattern.startsWith('/')) throw new Error(`a path pattern starts with "/": ${pattern}`)
  const segments = pattern.slice(1).split('/').map(segmentOf)
  const literals = segments.reduce((n, s) => n + s.prefix.length + s.suffix.length, 0)
  return { method, pattern, segments, literals, value }
}

const decode = (s: string): string | null => {
  if (s.indexOf('%') < 0) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}

const matchSegments = (
  segments: ReadonlyArray<Segment>,
  parts: ReadonlyArray<string>,
): Record<string, string> | null => {
  if (segments.length !== parts.length) return null
  let params: Record<string, string> | null = null
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!
    const part = parts[i]!
    if (seg.param === null) {
      if (part !== seg.prefix) return null
      continue
    }
    if (part.length <= seg.prefix.length + seg.suffix.length) return null
    if (!part.startsWith(seg.prefix) || !part.endsWith(seg.suffix)) return null
    const value = decode(part.slice(seg.prefix.length, part.length - seg.suffix.length))
    if (value === null || value.length === 0) return null
    ;(params ??= {})[seg.param] = value
  }
  return params ?? {}
}

export type Match<A> =
  | { readonly _tag: 'found'; readonly route: Compiled<A>; readonly params: Record<string, string> }
  /** The path is known, not with this method. */
  | { readonly _tag: 'method'; readonly allowed: ReadonlyArray<string> }
  | { readonly _tag: 'none' }

export interface Router<A> {
  readonly routes: ReadonlyArray<Compiled<A>>
  readonly match: (method: string, rawPath: string) => Match<A>
}

/** A router over `routes`; two routes with the same method and pattern are refused. */
export const make = <A>(
  routes: ReadonlyArray<{ readonly method: string; readonly path: string; readonly value: A }>,
): Router<A> => {
  const compiled = routes.map((r) => compile(r.method, r.path, r.value))
  const seen = new Set<string>()
  for (const c of compiled) {
    const key = `${c.method} ${c.pattern}`
    if (seen.has(key)) throw new Error(`two routes for ${key}`)
    seen.add(key)
  }
  // most specific first; grouped by segment count for a quick first cut
  const sorted = [...compiled].sort((a, b) => b.literals - a.literals)
  const bySize = new Map<number, Array<Compiled<A>>>()
  for (const c of sorted) {
    const list = bySize.get(c.segments.length) ?? []
    list.push(c)
    bySize.set(c.segments.length, list)
  }
  return {
    routes: compiled,
    match: (method, rawPath) => {
      if (!rawPath.startsWith('/')) return { _tag: 'none' }
      const parts = rawPath.slice(1).split('/')
      const candidates = bySize.get(parts.length)
      if (candidates === undefined) return { _tag: 'none' }
      let allowed: Array<string> | null = null
      let best: { route: Compiled<A>; params: Record<string, string> } | null = null
      for (const c of candidates) {
        const params = matchSegments(c.segments, parts)
        if (params === null) continue
        if (c.method === method) {
          best = { route: c, params }
          break
        }
        ;(allowed ??= []).push(c.method)
      }
      if (best !== null) return { _tag: 'found', ...best }
      if (allowed !== null) return { _tag: 'method', allowed: [...new Set(allowed)] }
      return { _tag: 'none' }
    },
  }
}
