/**
 * Levels in dBFS. Convention: 0 dBFS is a full-scale sine (peak amplitude 1.0), so a sine of
 * peak amplitude `a` is at `20·log10(a)` dBFS and a signal of mean power `p` is at
 * `10·log10(2p)` dBFS.
 */

/** Peak amplitude of a sine at `dbfs`. */
export const sineAmplitude = (dbfs: number): number => Math.pow(10, dbfs / 20)

/** Level of a sine of peak amplitude `amplitude`. */
export const sineLevel = (amplitude: number): number =>
  amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity

/** Level of a signal of mean power `power` (mean of squared samples). */
export const powerLevel = (power: number): number =>
  power > 0 ? 10 * Math.log10(2 * power) : -Infinity

/** Mean power (mean of squared samples). */
export const meanPower = (samples: Float32Array): number => {
  if (samples.length === 0) return 0
  let sum = 0
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!
  return sum / samples.length
}

/** Level of a block of samples. */
export const level = (samples: Float32Array): number => powerLevel(meanPower(samples))
