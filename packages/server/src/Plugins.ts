import type { PluginFactory } from './Composition.js'

/**
 * The plugins `switchboard serve` composes, in order. This is the seam where
 * `@switchboard/media` (simulated world: media plane and `/simulator` routes) and
 * `@switchboard/webhooks` (callback delivery worker, `/.well-known/openid-configuration`, JWKS,
 * `/admin/deadLetters`) are added: one line each, e.g. `(settings) => Media.plugin(settings)`.
 * With none, the media plane is `MediaPlane.silent` (nobody answers) and callbacks stay in the
 * outbox.
 */
export const installed: ReadonlyArray<PluginFactory> = []
