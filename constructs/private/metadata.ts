/** Marks an alarm that only feeds a composite alarm; KeelChecks lets it have no actions. */
export const COMPOSITE_CHILD_METADATA = 'keel:composite-child';
