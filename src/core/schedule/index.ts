/** Pure scheduling: cron fields, fire times in a zone, admission of jobs to run slots, catch-up. */
export { parseCron, dayMatches, type CronSpec, type DayOfMonth, type DayOfWeek } from './cron.js';
export { nextFire, previousFire } from './fire-times.js';
export { tick, finish, retain, drain, EMPTY_SLOTS, type Slots, type TickOutcome, type Transition } from './slots.js';
export { catchUpDue, type CatchUpInput } from './catch-up.js';
