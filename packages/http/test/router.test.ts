import { describe, expect, it } from 'vitest'
import * as Router from '../src/Router.js'

const router = Router.make([
  { method: 'POST', path: '/calling/callConnections', value: 'create' },
  { method: 'POST', path: '/calling/callConnections:answer', value: 'answer' },
  { method: 'GET', path: '/calling/callConnections/{id}', value: 'get' },
  { method: 'DELETE', path: '/calling/callConnections/{id}', value: 'hangUp' },
  { method: 'POST', path: '/calling/callConnections/{id}:play', value: 'play' },
  {
    method: 'GET',
    path: '/calling/callConnections/{id}/participants/{rawId}',
    value: 'participant',
  },
  { method: 'POST', path: '/calling/callConnections/{id}/participants:add', value: 'add' },
])

const found = (method: string, path: string) => {
  const m = router.match(method, path)
  return m._tag === 'found' ? { value: m.route.value, params: m.params } : m._tag
}

describe('the router', () => {
  it('matches literal paths and ACS action suffixes', () => {
    expect(found('POST', '/calling/callConnections')).toEqual({ value: 'create', params: {} })
    expect(found('POST', '/calling/callConnections:answer')).toEqual({
      value: 'answer',
      params: {},
    })
    expect(found('POST', '/calling/callConnections/cc-1:play')).toEqual({
      value: 'play',
      params: { id: 'cc-1' },
    })
    expect(found('POST', '/calling/callConnections/cc-1/participants:add')).toEqual({
      value: 'add',
      params: { id: 'cc-1' },
    })
  })
  it('percent-decodes parameters (raw ids)', () => {
    expect(found('GET', '/calling/callConnections/cc-1/participants/4%3A%2B14255550199')).toEqual({
      value: 'participant',
      params: { id: 'cc-1', rawId: '4:+14255550199' },
    })
  })
  it('tells an unknown path from a wrong method', () => {
    expect(found('GET', '/nope')).toBe('none')
    expect(found('PUT', '/calling/callConnections/cc-1')).toBe('method')
    expect(router.match('PUT', '/calling/callConnections/cc-1')).toEqual({
      _tag: 'method',
      allowed: ['GET', 'DELETE'],
    })
  })
  it('refuses empty parameters and bad percent-encoding without throwing', () => {
    // ":play" alone is a call id for GET/DELETE, never a play with an empty id
    expect(found('POST', '/calling/callConnections/:play')).toBe('method')
    expect(found('GET', '/calling/callConnections/%E0%A4%A')).toBe('none')
    expect(found('GET', '')).toBe('none')
  })
  it('refuses two routes with the same method and pattern', () => {
    expect(() =>
      Router.make([
        { method: 'GET', path: '/a/{x}', value: 1 },
        { method: 'GET', path: '/a/{x}', value: 2 },
      ]),
    ).toThrow(/two routes/)
  })
})
