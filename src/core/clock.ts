/** Time as Factline sees it. Tests inject their own to check schedules without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
