/**
 * The alert sound for urgent notices: a short two-tone chime made with Web Audio (no file to
 * load). The agent can mute it; the choice is remembered. Browsers only let a page play sound
 * after a user gesture, so the sign-in click unlocks it. Several alerts at once chime once.
 */
import { effect, signal } from "@preact/signals";

const storageKey = "console.sound";
const minGapMs = 3_000;

function stored(): boolean {
  try {
    return localStorage.getItem(storageKey) !== "off";
  } catch {
    return true;
  }
}

export const soundOn = signal(stored());
/** How many chimes played (shown to assistive technology as the alert's live region, and to tests). */
export const chimes = signal(0);

effect(() => {
  const value = soundOn.value ? "on" : "off";
  try {
    localStorage.setItem(storageKey, value);
  } catch {
    // Private mode: remembered for this page only.
  }
});

let context: AudioContext | undefined;
let lastAt = 0;

/** Call from a click handler: creates (or resumes) the audio context while the gesture lasts. */
export function unlockAudio(): void {
  try {
    context ??= new AudioContext();
    void context.resume();
  } catch {
    context = undefined;
  }
}

export function chime(): void {
  if (!soundOn.value || Date.now() - lastAt < minGapMs) return;
  lastAt = Date.now();
  chimes.value++;
  if (!context) return;
  const start = context.currentTime;
  for (const [i, frequency] of [880, 660].entries()) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.25 + 0.22);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + i * 0.25);
    oscillator.stop(start + i * 0.25 + 0.25);
  }
}
