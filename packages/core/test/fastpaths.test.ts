import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Event } from '../src/index.js'
import { Identifier, PlaySource, Rules, State, evolve, initial } from '../src/index.js'

/**
 * The hot path of the core answers some questions without the obvious one-liner (a regular
 * expression, `trim`, a list of kinds): these properties hold the fast answers to the obvious ones.
 */
describe('fast paths answer as the obvious code does', () => {
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 18 })
  const phoneLike = fc.oneof(
    fc.string(),
    digits.map((d) => `+${d}`),
    fc
      .tuple(fc.constantFrom('+', '', ' ', '++'), digits, fc.constantFrom('', ' ', 'x'))
      .map(([a, b, c]) => a + b + c),
  )

  it('isE164 is /^\\+[1-9][0-9]{1,14}$/', () => {
    fc.assert(
      fc.property(phoneLike, (s) => {
        expect(Identifier.isE164(s)).toBe(/^\+[1-9][0-9]{1,14}$/.test(s))
      }),
      { numRuns: 500 },
    )
  })

  it('a play source is empty when its text trims to nothing', () => {
    const blank = fc.string({
      unit: fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\r',
        '\u00a0',
        '\u2003',
        '\u3000',
        '\ufeff',
        '\u200b',
        'a',
      ),
      maxLength: 6,
    })
    fc.assert(
      fc.property(fc.oneof(blank, fc.string(), fc.string({ unit: 'binary' })), (s) => {
        const empty = s.trim().length === 0
        expect(PlaySource.isEmpty({ _tag: 'File', uri: s })).toBe(empty)
        expect(PlaySource.isEmpty({ _tag: 'Text', text: s })).toBe(empty)
        expect(PlaySource.isEmpty({ _tag: 'Ssml', ssmlText: s })).toBe(empty)
      }),
      { numRuns: 500 },
    )
  })

  /**
   * Identifiers built to collide: the same text as a phone number, an ACS user, an unknown id,
   * a Teams user or app (so raw ids may match across kinds), anonymous numbers, and fresh objects
   * for the same party (a decoder makes a new object per request).
   */
  const text = fc.constantFrom(
    '+14255550100',
    '+1425',
    'anonymous',
    '4:+14255550100',
    '8:acs:x',
    'x',
    '',
  )
  const identifier: fc.Arbitrary<Identifier.Identifier> = fc.oneof(
    fc.tuple(text, fc.boolean()).map(([v, a]) => Identifier.phoneNumber(v, a)),
    text.map((t) => Identifier.communicationUser(t)),
    text.map((t) => Identifier.unknown(t)),
    fc
      .tuple(
        text,
        fc.constantFrom('public', 'dod', 'gcch') as fc.Arbitrary<Identifier.TeamsCloud>,
        fc.boolean(),
      )
      .map(([u, c, a]) => Identifier.teamsUser(u, c, a)),
    fc
      .tuple(text, fc.constantFrom('public', 'dod', 'gcch') as fc.Arbitrary<Identifier.TeamsCloud>)
      .map(([u, c]) => Identifier.teamsApp(u, c)),
    text.map((t) => Identifier.parse(t)),
  )

  it('Identifier.equals is equality of raw ids, and hasRawId is rawId(who) === raw', () => {
    fc.assert(
      fc.property(identifier, identifier, (a, b) => {
        const same = Identifier.rawId(a) === Identifier.rawId(b)
        expect(Identifier.equals(a, b)).toBe(same)
        expect(Identifier.equals({ ...a }, b)).toBe(same)
        expect(Identifier.hasRawId(a, Identifier.rawId(b))).toBe(same)
        expect(Identifier.hasRawId(a, `${Identifier.rawId(b)} `)).toBe(false)
      }),
      { numRuns: 2_000 },
    )
  })

  it('a press mark is found by identifier as by raw id', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(identifier, fc.nat({ max: 9 })), { maxLength: 4 }),
        identifier,
        (marks, who) => {
          const state = {
            ...initial,
            presses: marks.map(([p, pressId]) => ({ participant: Identifier.rawId(p), pressId })),
          }
          expect(State.pressOf(state, who)?.pressId ?? 0).toBe(
            State.lastPressId(state, Identifier.rawId(who)),
          )
        },
      ),
      { numRuns: 1_000 },
    )
  })

  it('the verdict is the table read cell by cell', () => {
    const existing = fc.array(fc.constantFrom(...Rules.existingKinds), { maxLength: 4 })
    fc.assert(
      fc.property(
        fc.constantFrom(...Rules.requestedKinds),
        existing,
        fc.boolean(),
        fc.boolean(),
        (requested, kinds, mainBusy, interrupt) => {
          const lane = Rules.lane[requested]
          const blocker = kinds.find(
            (e) =>
              !(
                interrupt &&
                lane !== 'none' &&
                Rules.leg[e] === lane &&
                e !== 'ContinuousDtmfRecognition'
              ) && !Rules.allows(e, requested),
          )
          const expected =
            blocker !== undefined
              ? { _tag: 'Reject', blockedBy: blocker }
              : { _tag: lane === 'main' && mainBusy && !interrupt ? 'Queue' : 'Run' }
          expect(Rules.verdict(requested, kinds, { mainBusy, interrupt })).toEqual(expected)
        },
      ),
    )
  })

  it('a participants list that is not a list changes only the counters', () => {
    const event = {
      _tag: 'ParticipantsUpdated',
      at: 1,
      participants: 'nobody',
      sequenceNumber: 1,
    } as unknown as Event.Event
    const next = evolve(initial, event)
    expect(next).toEqual({ ...initial, version: 1, callbacks: 1 })
  })
})
