import { defineConfig } from 'vitest/config'

// Property tests synthesize and decode many signals; give them room on a loaded CI machine.
export default defineConfig({ test: { testTimeout: 60_000 } })
