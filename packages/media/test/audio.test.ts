import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Effect, Either } from 'effect'
import { Tone } from '@switchboard/core'
import { DtmfDetector } from '@switchboard/dsp'
import { AudioPath, Sources, Speech } from '../src/index.js'

describe('the DTMF audio path', () => {
  it('what is heard is what was sent, for any tones at the service and keypad timings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Tone.all), { minLength: 1, maxLength: 18 }),
        fc.constantFrom(AudioPath.serviceTiming, AudioPath.keypadTiming, { toneMs: 50, gapMs: 50 }),
        (tones, timing) => {
          const heard = AudioPath.transmit(tones, timing)
          expect(heard.map((h) => h.tone)).toEqual(tones)
          // released in order, each within its own tone
          heard.forEach((h, i) => {
            const end = i * (timing.toneMs + timing.gapMs) + timing.toneMs
            expect(Math.abs(h.endMs - end)).toBeLessThan(10)
          })
        },
      ),
      { numRuns: 40 },
    )
  })

  it('presses too short for a receiver are not heard', () => {
    expect(AudioPath.transmit(['one', 'two'], { toneMs: 20, gapMs: 100 })).toEqual([])
  })
})

describe('speech', () => {
  it('reading-rate estimate: words placed in order, pauses after punctuation', () => {
    const u = Speech.utterance('Hello, world. Again')
    expect(u.words.map((w) => w.text)).toEqual(['Hello', 'world', 'Again'])
    expect(u.words[0]).toEqual({ text: 'Hello', offsetMs: 0, durationMs: 400 })
    expect(u.words[1]!.offsetMs).toBe(400 + Speech.COMMA_PAUSE_MS)
    expect(u.words[2]!.offsetMs).toBe(400 + Speech.COMMA_PAUSE_MS + 400 + Speech.SENTENCE_PAUSE_MS)
    expect(u.durationMs).toBe(u.words[2]!.offsetMs + 400 + Speech.WORD_GAP_MS)
    expect(Speech.utterance('   ').durationMs).toBe(0)
  })

  it('SSML: tags dropped, entities decoded, breaks add their time', () => {
    const plain = Speech.utterance('Fish & chips')
    const ssml = Speech.fromSsml(
      '<speak version="1.0"><voice name="en-US-JennyNeural">Fish &amp; <break time="1.5s"/>chips</voice><break strength="strong"/></speak>',
    )
    expect(ssml.text).toBe('Fish & chips')
    expect(ssml.durationMs).toBe(plain.durationMs + 1500 + 750)
  })

  it('the synthetic voice is audible, lasts the utterance, and is not mistaken for DTMF', () => {
    const u = Speech.utterance('Please connect me to the billing department, thank you very much.')
    for (const rate of [8000, 16000, 24000]) {
      const audio = Speech.render(u, rate)
      expect(audio.length).toBe(Math.ceil((u.durationMs * rate) / 1000))
      const peak = audio.reduce((a, v) => Math.max(a, Math.abs(v)), 0)
      expect(peak).toBeGreaterThan(0.05)
      expect(peak).toBeLessThan(1)
      expect(DtmfDetector.decode(audio, rate)).toBe('')
    }
  })
})

describe('play sources', () => {
  const options = { ...Sources.defaults, textToSpeech: 'espeak-ng' as const }
  it('espeak-ng measures text when installed; without it, a text source fails with speechService', async () => {
    const installed = await Sources.hasEspeak()
    const r = await Effect.runPromise(
      Effect.either(
        Sources.resolve({ _tag: 'Text', text: 'Your call is important to us.' }, options),
      ),
    )
    if (installed) {
      expect(Either.isRight(r)).toBe(true)
      if (Either.isRight(r)) {
        const estimate = Speech.utterance('Your call is important to us.').durationMs
        expect(r.right.durationMs).toBeGreaterThan(estimate / 3)
        expect(r.right.durationMs).toBeLessThan(estimate * 3)
      }
    } else expect(Either.isLeft(r) && r.left.reason).toBe('speechService')
  })

  it('loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1'])
      expect(Sources.isLoopbackHost(h)).toBe(true)
    for (const h of ['example.com', '10.0.0.1', '128.0.0.1', '127.example.com'])
      expect(Sources.isLoopbackHost(h)).toBe(false)
  })

  it('unsupported schemes and non-URLs fail with fileDownload', async () => {
    for (const uri of ['ftp://127.0.0.1/a.wav', 'not a url', 'data:audio/wav;base64,AAAA']) {
      const r = await Effect.runPromise(
        Effect.either(Sources.resolve({ _tag: 'File', uri }, Sources.defaults)),
      )
      expect(Either.isLeft(r) && r.left.reason).toBe('fileDownload')
    }
  })
})
