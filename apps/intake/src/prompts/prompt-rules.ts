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
/** Prompt streams one device may hold open at once (a PAD needs one; a reconnect overlaps its predecessor briefly). */
export const PROMPT_STREAMS_PER_DEVICE = 3;
/** A stream's slot is free by this long after it opened even if its replica died without closing it. */
export const PROMPT_STREAM_SLOT_MS = PROMPT_STREAM_MAX_MS + 5_000;
/** Spent stream signatures pruned per stream opened (the table stays as small as the last few minutes' streams). */
export const PROMPT_STREAM_PRUNE_BATCH = 100;
