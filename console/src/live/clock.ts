/** One clock for every timer on screen: a signal that ticks each second (only its readers re-render). */
import { signal } from "@preact/signals";

export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 1_000);
