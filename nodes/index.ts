/**
 * The package's public entry point (`require('node-red-iot-flow-engine')`):
 * the message contract's types and helpers, for tests and for other packages
 * that produce or consume our messages. Node-RED itself loads the nodes
 * through package.json's `node-red` section, not through this file.
 */
export type { Alert, AlertState, Command, CommandStatus, Reading, ReadingEvent, Recording, Severity } from './common/types';
export { SEVERITIES } from './common/types';
export { isReading } from './common/reading-guard';
export { validateAlert } from './alert-notifier/alert-input';
export { ValidationError } from './common/errors';
export { migrateFlow, RENAMED_TYPES } from './common/type-migrations';
export { resolveDataDir } from './common/data-dir';
export { ActivityClassifier, DEFAULTS as ACTIVITY_DEFAULTS } from './common/activity-classifier';
export type { Activity, ClassifierOptions, Classification, Sample } from './common/activity-classifier';
