/**
 * A reader that stops early (`switchboard rules | head -1`) closes the pipe: stop quietly rather
 * than die on EPIPE with a stack trace. Installed once per process.
 */
let guarded = false

export const guard = (): NodeJS.WriteStream => {
  if (!guarded) {
    guarded = true
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0)
      process.stderr.write(`switchboard: standard output: ${e.message}\n`)
      process.exit(1)
    })
  }
  return process.stdout
}
