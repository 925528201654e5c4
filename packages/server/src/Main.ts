import { readFileSync } from 'node:fs'
import * as Cli from './Cli.js'
import * as DtmfCli from './dtmf/DtmfCli.js'
import * as Plugins from './Plugins.js'
import * as Serve from './Serve.js'
import * as Stdout from './Stdout.js'

Stdout.guard()

const write = (outcome: Cli.Outcome): void => {
  for (const line of outcome.stdout) process.stdout.write(`${line}\n`)
  for (const line of outcome.stderr) process.stderr.write(`${line}\n`)
  process.exitCode = outcome.status
}

const [command, ...args] = process.argv.slice(2)

switch (command) {
  case 'rules':
    write(Cli.rules())
    break
  case 'validate': {
    const arg = args[0]
    if (arg === undefined) {
      write({
        stdout: [],
        stderr: ['switchboard validate: give the commands as JSON, or - to read standard input'],
        status: 2,
      })
      break
    }
    write(Cli.validate(arg === '-' ? readFileSync(0, 'utf8') : arg))
    break
  }
  case 'dtmf':
    process.exitCode = await DtmfCli.run(args)
    break
  case 'serve':
    process.exitCode = await Serve.run(
      args,
      process.env,
      {
        out: (l) => void process.stdout.write(`${l}\n`),
        err: (l) => void process.stderr.write(`${l}\n`),
        stream: (chunk) => void process.stdout.write(chunk),
      },
      Plugins.installed,
    )
    break
  case 'start': {
    const r = Cli.rules()
    const v = Cli.validate(Cli.sample)
    write({
      stdout: [...r.stdout, '', 'Sample validation:', ...v.stdout],
      stderr: v.stderr,
      status: 0,
    })
    break
  }
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    write({ stdout: Cli.usage, stderr: [], status: 0 })
    break
  default:
    write({
      stdout: [],
      stderr: [`switchboard: unknown command "${command}"`, ...Cli.usage],
      status: 2,
    })
}
