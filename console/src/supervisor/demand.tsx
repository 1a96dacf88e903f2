/**
 * The demand input the coverage and plans screens share: chats forecast per interval (typed,
 * the sample day, or from history by `GET /forecast`) and the staffing parameters they are
 * planned with (AHT and its growth per extra chat, answer seconds, target service level, a
 * concurrency for everyone or each agent's own, shrinkage). One day (coverage) or several in a
 * row (a plan: the days' volumes one after another). Rendered inside a `form.forecast` grid; the
 * screen's own buttons (its submit) come first in the actions row.
 */
import { signal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../api/client.js";
import type { CoverageInput, Skill } from "../api/types.js";
import { t } from "../i18n/index.js";

/** Chats per hour of a plausible shop day: a quiet night, a morning rise, the 20:00–22:00 rush. */
const sampleDay = [16, 8, 4, 4, 4, 8, 16, 32, 64, 96, 120, 128, 112, 104, 112, 120, 112, 104, 112, 136, 192, 208, 144, 56];

/** The sample day as volumes for `count` intervals (24, 48 or 96). */
export function sampleVolumes(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((sampleDay[Math.floor((i * 24) / count)] ?? 0) * (24 / count)));
}

/** Intervals of one day (a DST day has one hour more or less; the server says so if it does not fit). */
export const intervalsPerDay = (intervalMinutes: number) => Math.round((24 * 60) / intervalMinutes);

const sampleFor = (days: number, intervalMinutes: number) => Array.from({ length: Math.max(1, days) }, () => sampleVolumes(intervalsPerDay(intervalMinutes))).flat();

export function createDemand(days = 1) {
  return {
    interval: signal(30),
    volumes: signal(sampleFor(days, 30).join(",")),
    aht: signal(300),
    ahtGrowth: signal(1),
    answerSeconds: signal(180),
    serviceLevel: signal(80),
    /** Blank: each agent's own maxConcurrent. */
    concurrency: signal<number | null>(null),
    shrinkage: signal(0),
  };
}
export type Demand = ReturnType<typeof createDemand>;

/** The demand's signals, kept for the component's life. */
export const useDemand = (days = 1): Demand => useState(() => createDemand(days))[0];

/** The volumes typed (commas, spaces, full-width commas or new lines between them). */
export const volumesOf = (demand: Demand): number[] =>
  demand.volumes.value
    .split(/[\s,，]+/)
    .filter(Boolean)
    .map(Number);

export type Staffing = Pick<CoverageInput, "ahtSeconds" | "ahtGrowth" | "answerSeconds" | "serviceLevel" | "shrinkage" | "concurrency">;

/** The staffing parameters as the API takes them (POST /rota/coverage, POST /rota/plans `forecast`). */
export function staffingOf(demand: Demand): Staffing {
  return {
    ahtSeconds: demand.aht.value,
    ahtGrowth: demand.ahtGrowth.value,
    answerSeconds: demand.answerSeconds.value,
    serviceLevel: demand.serviceLevel.value / 100,
    shrinkage: demand.shrinkage.value / 100,
    ...(demand.concurrency.value !== null ? { concurrency: demand.concurrency.value } : {}),
  };
}

export function NumberField(props: { id: string; label: string; value: number; min: number; max: number; step?: number | "any"; hint?: string; onInput: (value: number) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="number"
        required
        min={props.min}
        max={props.max}
        step={props.step ?? "any"}
        value={props.value}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput(Number(e.currentTarget.value))}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** A skill to plan for, or none (`anyLabel`: every skill). */
export function SkillField(props: { id: string; label: string; anyLabel: string; skills: readonly Skill[]; value: string; onChange: (skillId: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.anyLabel}</option>
        {props.skills.map((s) => (
          <option key={s.skillId} value={s.skillId}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The planning interval: 15, 30 or 60 minutes. */
export function IntervalField(props: { id: string; value: number; onChange: (minutes: number) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{t("coverage.interval")}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {[15, 30, 60].map((m) => (
          <option key={m} value={m}>
            {t("coverage.minutes", { count: m })}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The demand's fields. `dates`: the local days the volumes cover, in order (their forecasts are
 * fetched one by one and joined); `onFailure` hears a forecast that could not be read.
 */
export function DemandFields(props: { demand: Demand; idPrefix: string; dates: string[]; timeZone: string; skill: string; onFailure: (detail: string | null) => void; children?: ComponentChildren }) {
  const { demand, idPrefix: p, dates } = props;
  const days = Math.max(1, dates.length);
  const perDay = intervalsPerDay(demand.interval.value);
  const fromHistory = async () => {
    props.onFailure(null);
    try {
      const forecasts = await Promise.all(
        dates.map((date) => api.forecast({ date, timeZone: props.timeZone, interval: demand.interval.value, ...(props.skill ? { skill: props.skill } : {}) })),
      );
      demand.volumes.value = forecasts.flatMap((f) => f.intervals.map((i) => Math.round(i.reforecast * 10) / 10)).join(",");
    } catch (error) {
      props.onFailure(error instanceof ApiError ? error.describe() : String(error));
    }
  };
  return (
    <>
      <IntervalField
        id={`${p}-interval`}
        value={demand.interval.value}
        onChange={(minutes) => {
          demand.interval.value = minutes;
          demand.volumes.value = sampleFor(days, minutes).join(",");
        }}
      />
      <NumberField id={`${p}-aht`} label={t("coverage.aht")} value={demand.aht.value} min={1} max={86_400} onInput={(v) => (demand.aht.value = v)} />
      <NumberField id={`${p}-growth`} label={t("coverage.ahtGrowth")} value={demand.ahtGrowth.value} min={1} max={3} onInput={(v) => (demand.ahtGrowth.value = v)} />
      <NumberField id={`${p}-answer`} label={t("coverage.answerSeconds")} value={demand.answerSeconds.value} min={0} max={3_600} onInput={(v) => (demand.answerSeconds.value = v)} />
      <NumberField id={`${p}-sl`} label={t("coverage.serviceLevel")} value={demand.serviceLevel.value} min={1} max={99} onInput={(v) => (demand.serviceLevel.value = v)} />
      <div class="field">
        <label for={`${p}-concurrency`}>{t("coverage.concurrency")}</label>
        <input
          id={`${p}-concurrency`}
          type="number"
          min={1}
          max={50}
          step={1}
          placeholder={t("coverage.ownCapacity")}
          aria-describedby={`${p}-concurrency-hint`}
          value={demand.concurrency.value ?? ""}
          onInput={(e) => (demand.concurrency.value = e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
        />
        <p class="hint" id={`${p}-concurrency-hint`}>
          {t("coverage.concurrencyHint")}
        </p>
      </div>
      <NumberField id={`${p}-shrinkage`} label={t("coverage.shrinkage")} value={demand.shrinkage.value} min={0} max={95} onInput={(v) => (demand.shrinkage.value = v)} />
      <div class="field wide">
        <label for={`${p}-volumes`}>{t("coverage.volumes")}</label>
        <textarea id={`${p}-volumes`} rows={3} required spellcheck={false} aria-describedby={`${p}-volumes-hint`} value={demand.volumes.value} onInput={(e) => (demand.volumes.value = e.currentTarget.value)} />
        <p class="hint" id={`${p}-volumes-hint`}>
          {days === 1 ? t("coverage.volumesHint", { count: perDay, minutes: demand.interval.value }) : t("demand.volumesHintDays", { count: perDay * days, days, perDay, minutes: demand.interval.value })}
        </p>
      </div>
      <p class="actions wide">
        {props.children}
        <button type="button" onClick={() => void fromHistory()}>
          {t("coverage.fromHistory")}
        </button>
        <button type="button" onClick={() => (demand.volumes.value = sampleFor(days, demand.interval.value).join(","))}>
          {t("coverage.sample")}
        </button>
      </p>
    </>
  );
}
