export type Flavour = "sqlite" | "postgres";
export const DEFAULT_DATABASE_URL: string;
export function flavourOf(url?: string): Flavour;
export function prismaPaths(flavour: Flavour): { schema: string; migrations: string };
export function sqliteFilePath(url: string, cwd?: string): string;
export function redactUrl(url: string): string;
