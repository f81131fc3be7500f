/** A prompt not rated within this long is no longer shown (the citizen has left the window). */
export const PROMPT_TTL_MS = 10 * 60_000;
/** A prompt stream is closed after this long; the PAD reconnects with a freshly signed request. */
export const PROMPT_STREAM_MAX_MS = 55_000;
/** A comment line is sent this often so that proxies keep an idle stream open and the PAD sees it is alive. */
export const PROMPT_STREAM_PING_MS = 15_000;
/** The PostgreSQL NOTIFY channel that carries new prompts to every intake instance. */
export const PROMPT_CHANNEL = 'pad_prompts';
/** The NOTIFY channel on which a revocation ends the device's open streams at once (payload: the device id). */
export const DEVICE_REVOKED_CHANNEL = 'pad_device_revoked';
