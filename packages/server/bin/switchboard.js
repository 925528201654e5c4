#!/usr/bin/env node
// The `switchboard` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api'

register()
await import('../src/Main.ts')
