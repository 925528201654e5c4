/**
 * @switchboard/wire: every byte that enters or leaves Switchboard. io-ts codecs for the ACS Call
 * Automation wire (REST bodies, CloudEvents callbacks, WebSocket messages, Event Grid, error
 * bodies) and the mapping between wire and core. Arbitraries: `@switchboard/wire/arbitrary`.
 */
export * as Callbacks from './Callbacks.js'
export * as Errors from './Errors.js'
export * as EventGrid from './EventGrid.js'
export * as Failure from './Failure.js'
export * as Identifiers from './Identifiers.js'
export * as Requests from './Requests.js'
export * as Responses from './Responses.js'
export * as Shapes from './Shapes.js'
export * as Streaming from './Streaming.js'
export * as ToCommand from './ToCommand.js'
