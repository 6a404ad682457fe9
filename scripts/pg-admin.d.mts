export const DEFAULT_PG_ADMIN_URL: string;
export function databaseUrl(adminUrl: string, name: string): string;
/** Creates the database and returns its URL. */
export function createDatabase(adminUrl: string, name: string): Promise<string>;
/** Terminates other connections, then drops the database if it exists. */
export function dropDatabase(adminUrl: string, name: string): Promise<void>;
