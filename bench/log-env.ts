/**
 * Imported first by the benches: the server's log as production writes it
 * (JSON, not development's pretty printing, which costs more than the request
 * it describes), at `warn` so the per-request line does not flood the report.
 * Set LOG_LEVEL=info to measure with the request log.
 */
process.env.LOG_FORMAT ??= 'json';
process.env.LOG_LEVEL ??= 'warn';
export {};
