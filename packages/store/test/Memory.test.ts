import { storeContract } from '../src/contract/index.js'
import { MemoryStore } from '../src/index.js'

storeContract('memory', async (options) => MemoryStore.open(options))
