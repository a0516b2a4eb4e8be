/**
 * The library API of megamirror: load a job file, plan a job, run a job, decide retention.
 * The CLI is a thin layer over exactly these functions.
 */
export { loadJobFile, parseJobFileText, parseDuration, type LoadOptions } from './config/index.js';
export type { Job, JobFile, Endpoint, RemoteConfig, RetentionPolicy } from './config/types.js';

export { planJob, runJob, type RunJobOptions, type JobOutcome, type PlannedJob } from './engine/run-job.js';
export { backendFactory, type OpenBackend } from './engine/endpoints.js';
export { applyPlan, type ApplyOptions } from './engine/apply.js';
export type { ActionResult, ApplyEvent } from './engine/results.js';

export { planMirror, type MirrorPlanInput } from './core/plan.js';
export { compileFilter, type Filter } from './core/filter.js';
export { checkSafety, type Refusal } from './core/safety.js';
export { applyRetention, parseCalendarSpan, type RetentionOptions, type RetentionResult } from './core/retention/index.js';
export type * from './core/types.js';

export type { Backend, WriteSource, WriteMeta } from './backends/backend.js';
export { LocalBackend } from './backends/local/index.js';
export { MemoryBackend } from './backends/memory.js';

export { renderPlan } from './report/human.js';
export { planToJson, runReport } from './report/json.js';
export type { RunReport, JobReport, JobStatus } from './report/types.js';

export { MegamirrorError, ConfigError, type ErrorCode, type ConfigProblem } from './errors.js';
