import { defineConfig } from 'vitest/config'

// Tests run whole calls over loopback sockets: give them room on a busy machine.
export default defineConfig({
  test: { testTimeout: 30_000 },
})
