// The learning rate at each optimisation step. 'constant' is the paper's (§9); 'cosine' anneals from
// the base rate to 1 % of it over the whole run, which serves short schedules (a CPU run of tens of
// epochs instead of 300) better than a rate that never decays.
export type LrSchedule = 'constant' | 'cosine';

export function isLrSchedule(value: string): value is LrSchedule {
  return value === 'constant' || value === 'cosine';
}

const COSINE_FLOOR = 0.01;

/** The rate for step `step` (0-based) of a run of `totalSteps` steps. */
export function learningRateAt(schedule: LrSchedule, baseLr: number, step: number, totalSteps: number): number {
  if (schedule === 'constant') return baseLr;
  const progress = Math.min(1, Math.max(0, step / Math.max(1, totalSteps)));
  return baseLr * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
