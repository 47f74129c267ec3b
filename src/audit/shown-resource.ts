/**
 * The resource whose events the page shows when asked to show one event (the later event of a
 * revert conflict): the list has no filter by event id, so it filters to that resource, where
 * the event is among the newest.
 */
export interface ShownResource {
  resourceType: string;
  resourceId: string | null;
}
