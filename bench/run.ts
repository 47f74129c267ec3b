/**
 * Runs every benchmark. Each prints ratios against the peers it is measured with in the same run;
 * absolute times depend on the machine and are shown only for context.
 */
import { benchAuditAppend } from './audit-append.ts';

await benchAuditAppend();
