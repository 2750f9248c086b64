/**
 * Every bound the agent works within, in one place, each with its reason. The agent runs in a worker
 * with a fixed memory budget (manifest: 512 MB) on files up to 100 MB, so nothing may grow with the
 * number of rows except the two structures sized per row below (row digests and the duplicate bitmap).
 */

/** The start of the file read to sniff the encoding, binary content and delimiter: enough for many lines. */
export const SAMPLE_BYTES = 64 * 1024;

/** Records of the sample used to detect the delimiter; more adds little certainty. */
export const SAMPLE_RECORDS = 100;

/** Beyond this a "CSV" is almost always a mis-detected delimiter or a matrix, and per-column state adds up. */
export const MAX_COLUMNS = 1000;

/**
 * The longest record the parser buffers. A real row is far shorter; an unbalanced quote would otherwise
 * make the parser swallow the rest of the file into one field.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** Distinct values counted exactly per column (as 53-bit hashes); beyond, a HyperLogLog estimate. */
export const DISTINCT_EXACT_PER_COLUMN = 10_000;

/** The exact-distinct budget shared by all columns (~40 MB of hash sets), so wide files stay bounded. */
export const DISTINCT_EXACT_TOTAL = 1_000_000;

/** Numeric values kept per column (a uniform reservoir sample) to estimate quartiles for outliers. */
export const RESERVOIR_SIZE = 4096;

/**
 * Distinct rows whose 16-byte digest is kept for duplicate detection: 2^23 slots of 16 bytes (128 MiB)
 * at a load of at most 3/4. A 100 MB file with more rows than this has rows under 17 bytes; past the
 * limit, rows are still compared with the digests kept, but not added, and the report says so.
 */
export const ROW_DIGEST_SLOTS_MAX = 2 ** 23;
export const MAX_TRACKED_ROWS = (ROW_DIGEST_SLOTS_MAX / 4) * 3;

/** How many examples of anything (values, lines) the profile and the report list: enough to act on. */
export const EXAMPLE_VALUES = 5;
export const EXAMPLE_LINES = 20;
export const OUTLIER_EXAMPLES = 10;

/** Example values are cut to this many characters so one huge cell cannot bloat the profile. */
export const EXAMPLE_CHARS = 80;

/** Tukey's "far out" fences: values beyond Q1 − 3·IQR or Q3 + 3·IQR. 1.5 flags too much in large files. */
export const OUTLIER_IQR_FACTOR = 3;

/** The fallback when the IQR is 0 (most values equal): |z| above this, from the exact mean and std. */
export const OUTLIER_Z = 3;

/** Quartiles of fewer values say nothing; such columns get no outlier check. */
export const MIN_VALUES_FOR_OUTLIERS = 8;

/** Rows between two checks of the abort signal and two progress reports' chances. */
export const ROWS_PER_CHECK = 4096;

/** Rows written to the cleaned CSV per chunk: large enough to be cheap, small enough to stream. */
export const ROWS_PER_OUTPUT_CHUNK = 2000;

/** Columns described to the model: a prompt stays small whatever the file's width. */
export const MODEL_COLUMNS = 60;
