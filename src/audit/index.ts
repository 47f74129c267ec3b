/**
 * The audit area of the SPA: the `/audit` page. Other folders import only from here.
 */
export { AuditPage } from './audit-page.tsx';
