import { Media } from '@switchboard/media'
import { Delivery, Keys, Routes } from '@switchboard/webhooks'
import { Layer } from 'effect'
import type { Plugin, PluginFactory } from './Composition.js'
import type { Settings } from './Config.js'

/**
 * The plugins `switchboard serve` composes, in order: the seam where adapters that are not part
 * of the HTTP API plug in.
 *
 * - `media` (`@switchboard/media`, `Media.plugin`): the simulated telephony world as the media
 *   plane (it reads `--time-scale`; IncomingCall events go to `--event-grid-url`), and the
 *   `/simulator` routes that script it (signed like the ACS API, or open with `--open-simulator`
 *   on a loopback host).
 * - `webhooks` (`@switchboard/webhooks`): the callback delivery worker (signed, ordered, retried
 *   POSTs of the outbox to each call's callback URI), its signing keys in the data directory, and
 *   the routes `/.well-known/openid-configuration`, `/calling/keys`, `/admin/deadLetters`.
 */

const publicUrl = (s: Settings) =>
  `http://${s.host === '0.0.0.0' ? '127.0.0.1' : s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`

export const media: PluginFactory = (settings): Plugin => {
  const plugin = Media.plugin({
    timeScale: settings.timeScale,
    ...(settings.eventGridUrl !== undefined
      ? { eventGrid: { webhookUrl: settings.eventGridUrl } }
      : {}),
  })
  return {
    ...plugin,
    banner: [
      ...plugin.banner,
      `simulator:   ${publicUrl(settings)}/simulator/...  (${settings.openSimulator ? 'open on loopback' : 'HMAC-signed like the ACS API'})`,
    ],
  }
}

export const webhooks: PluginFactory = (settings): Plugin => ({
  name: 'webhooks',
  layer: Layer.provideMerge(
    Delivery.layer(),
    Keys.layer({ dataDir: settings.dataDir, issuer: publicUrl(settings) }),
  ),
  routes: Routes.routes,
  banner: [`callbacks:   signed (RS256) POSTs; keys at ${publicUrl(settings)}/calling/keys`],
})

export const installed: ReadonlyArray<PluginFactory> = [media, webhooks]
