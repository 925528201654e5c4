/**
 * What `switchboard dtmf decode` reports for one input: the io-ts codec of the `--json` line and
 * the plain-text lines. Times are in ms from the start of the input (0.1 ms resolution), levels
 * in dBFS (0 dBFS = full-scale sine, 0.1 dB resolution).
 */
import type { DtmfDetector } from '@switchboard/dsp'
import * as t from 'io-ts'

const KeyCodec = t.keyof(
  {
    '0': null,
    '1': null,
    '2': null,
    '3': null,
    '4': null,
    '5': null,
    '6': null,
    '7': null,
    '8': null,
    '9': null,
    '*': null,
    '#': null,
    A: null,
    B: null,
    C: null,
    D: null,
  },
  'DtmfKey',
)

/** One key press: which key, when, and how loud (mean level of its two tones). */
export const Tone = t.intersection(
  [
    t.type({ key: KeyCodec, startMs: t.number, endMs: t.number, levelDbfs: t.number }),
    /** Streaming sessions with unmixed audio: whose audio the key was found in. */
    t.partial({ participantRawID: t.string }),
  ],
  'DtmfTone',
)
export type Tone = t.TypeOf<typeof Tone>

/** The keys found in one participant's audio (unmixed streaming sessions). */
export const Participant = t.type(
  { participantRawID: t.string, digits: t.string },
  'DtmfParticipant',
)
export type Participant = t.TypeOf<typeof Participant>

/** One `--json` line: one input file. */
export const Report = t.intersection(
  [
    t.type({
      file: t.string,
      sampleRate: t.number,
      durationMs: t.number,
      /** Every key found, in order of their start. */
      digits: t.string,
      tones: t.array(Tone),
    }),
    /** Streaming sessions with unmixed audio: one entry per participant, in order of appearance. */
    t.partial({ participants: t.array(Participant) }),
  ],
  'DtmfReport',
)
export type Report = t.TypeOf<typeof Report>

/** The `--json` line of a report. */
export const json = (report: Report): string => JSON.stringify(Report.encode(report))

/**
 * The plain-text lines of a report: `FILE: 123#`, or for unmixed streaming sessions one line per
 * participant, `FILE [RAWID]: 78`.
 */
export const text = (report: Report): ReadonlyArray<string> =>
  report.participants === undefined
    ? [`${report.file}: ${report.digits}`]
    : report.participants.map((p) => `${report.file} [${p.participantRawID}]: ${p.digits}`)

/** Rounds to 0.1 (ms or dB). */
export const tenth = (x: number): number => Math.round(x * 10) / 10

/** A detection as reported, `offsetMs` later (streams that start after the session did). */
export const tone = (d: DtmfDetector.Detection, offsetMs = 0, participantRawID?: string): Tone => ({
  key: d.key,
  startMs: tenth(d.startMs + offsetMs),
  endMs: tenth(d.endMs + offsetMs),
  levelDbfs: tenth(d.levelDbfs),
  ...(participantRawID === undefined ? {} : { participantRawID }),
})
