/**
 * @switchboard/http: the ACS Call Automation compatible REST API on `node:http`. HMAC-SHA256
 * authentication, the route table of the call and mid-call media operations, repeatability,
 * the ACS error shape for every refusal, `/openapi.json`, `/healthz`, one log line per request.
 */
export * as Auth from './Auth.js'
export * as Failure from './Failure.js'
export * as Log from './Log.js'
export * as OpenApi from './OpenApi.js'
export * as Operations from './Operations.js'
export * as Repeatability from './Repeatability.js'
export * as Router from './Router.js'
export * as Server from './Server.js'
