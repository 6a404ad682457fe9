/** A failure that no retry can fix (no handler any more, an uninstalled portal): the job stops at once. */
export class Permanent extends Error {}
