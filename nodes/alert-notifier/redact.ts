/** Keeps secrets out of logs, statuses, errors and delivery results: the project's one redaction path. */
export { redact, redactUrls } from '../common/redact';
