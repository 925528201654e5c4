/** The DTMF keypad: 16 keys, each a pair of one row (low group) and one column (high group) tone. */

export type Key =
  '1' | '2' | '3' | 'A' | '4' | '5' | '6' | 'B' | '7' | '8' | '9' | 'C' | '*' | '0' | '#' | 'D'

/** Row (low group) frequencies in Hz. */
export const ROW_HZ: readonly [number, number, number, number] = [697, 770, 852, 941]

/** Column (high group) frequencies in Hz. */
export const COLUMN_HZ: readonly [number, number, number, number] = [1209, 1336, 1477, 1633]

/** Keys by row, then column. */
export const KEYPAD: ReadonlyArray<ReadonlyArray<Key>> = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
]

export const KEYS: ReadonlyArray<Key> = KEYPAD.flat()

export const isKey = (text: string): text is Key => (KEYS as ReadonlyArray<string>).includes(text)

export interface Position {
  readonly row: number
  readonly column: number
}

export const position = (key: Key): Position => {
  const index = KEYS.indexOf(key)
  return { row: index >> 2, column: index & 3 }
}

export const keyAt = (row: number, column: number): Key => {
  const key = KEYPAD[row]?.[column]
  if (key === undefined) throw new RangeError(`no DTMF key at row ${row}, column ${column}`)
  return key
}

export interface Frequencies {
  readonly rowHz: number
  readonly columnHz: number
}

export const frequencies = (key: Key): Frequencies => {
  const { row, column } = position(key)
  return { rowHz: ROW_HZ[row]!, columnHz: COLUMN_HZ[column]! }
}

/** Splits a key string ("123#") into keys; any other character is a RangeError. */
export const parseKeys = (text: string): ReadonlyArray<Key> =>
  Array.from(text.toUpperCase(), (c) => {
    if (!isKey(c)) throw new RangeError(`not a DTMF key: ${JSON.stringify(c)}`)
    return c
  })
