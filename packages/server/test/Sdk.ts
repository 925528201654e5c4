import type { CallConnection } from '@azure/communication-call-automation'
import { CallAutomationClient } from '@azure/communication-call-automation'
import type { StoreService } from '@switchboard/store'
import { Effect } from 'effect'
import { expect } from 'vitest'

/** Helpers shared by the end-to-end suites. */

export const client = (connectionString: string) =>
  new CallAutomationClient(connectionString, { allowInsecureConnection: true })

export const pstn = (n: number) => ({ phoneNumber: `+1425555${String(n).padStart(4, '0')}` })
export const user = (id: string) => ({ communicationUserId: `8:acs:${id}` })
export const callerId = { phoneNumber: '+18005550100' }
export const callback = 'https://app.example/callbacks'

/** Polls `check` until it holds (or fails after `ms`). */
export const eventually = async <A>(
  check: () => Promise<A | undefined | false>,
  ms = 10_000,
): Promise<A> => {
  const until = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const a = await check()
      if (a !== undefined && a !== false) return a
    } catch (e) {
      last = e
    }
    if (Date.now() > until)
      throw new Error(
        `condition not met within ${ms} ms${last !== undefined ? `: ${String(last)}` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The SDK's RestError with this status and ACS code. */
export const refused = async (p: Promise<unknown>, statusCode: number, code: string) => {
  const error = await p.then(
    () => {
      throw new Error(`expected a refusal ${statusCode}/${code}, the request succeeded`)
    },
    (e: unknown) => e,
  )
  expect(error).toMatchObject({ name: 'RestError', statusCode, code })
}

/** Creates a call to the targets and waits until it is connected. */
export const connectedCall = async (
  c: CallAutomationClient,
  targets: ReadonlyArray<{ phoneNumber: string } | { communicationUserId: string }>,
  options: Parameters<CallAutomationClient['createCall']>[2] = {},
): Promise<{ id: string; connection: CallConnection }> => {
  const [first, ...rest] = targets
  const result =
    rest.length === 0 && first !== undefined
      ? await c.createCall(
          'phoneNumber' in first
            ? { targetParticipant: first, sourceCallIdNumber: callerId }
            : { targetParticipant: first },
          callback,
          options,
        )
      : await c.createGroupCall([...targets], callback, {
          sourceCallIdNumber: callerId,
          ...options,
        })
  const id = result.callConnectionProperties.callConnectionId
  if (id === undefined) throw new Error('no call connection id')
  const connection = result.callConnection
  await eventually(async () => {
    const p = await connection.getCallConnectionProperties()
    return p.callConnectionState === 'connected'
  })
  return { id, connection }
}

/** The event types recorded for a call, in order. */
export const eventTypes = async (
  store: StoreService,
  callId: string,
): Promise<ReadonlyArray<string>> =>
  (await Effect.runPromise(store.events.read(callId as never))).map((e) => e.type)

export const countCalls = async (store: StoreService): Promise<number> =>
  (await Effect.runPromise(store.events.listCalls({ limit: 100_000 }))).length
