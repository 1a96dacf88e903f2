/** The live connection of the signed-in screen, for the header to show its state. */
import { signal, type ReadonlySignal } from "@preact/signals";
import type { LiveStatus } from "../live/socket.js";

export const liveStatus = signal<ReadonlySignal<LiveStatus> | null>(null);
