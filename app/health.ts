/** The health routes now ship with the package (nodes/common/health-routes.ts); the launcher mounts the same ones. */
export { brokerStates, counterSummary, healthRoutes, readiness } from '../nodes/common/health-routes';
export type { ReadyReport, RuntimeView } from '../nodes/common/health-routes';
