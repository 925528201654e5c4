/**
 * @switchboard/media: the simulated telephony world behind the runtime's media-plane port
 * (phones and users that ring, answer, press keys, speak, hear what is played and sent to them,
 * and hang up; real DTMF audio; media streaming and transcription over WebSockets; incoming calls
 * through Event Grid) and the simulator API that scripts it.
 */
export * as AudioPath from './AudioPath.js'
export * as IncomingCall from './IncomingCall.js'
export * as Media from './Media.js'
export * as Mixer from './Mixer.js'
export * as Phone from './Phone.js'
export * as Simulator from './Simulator.js'
export * as Sources from './Sources.js'
export * as Speech from './Speech.js'
export * as World from './World.js'
