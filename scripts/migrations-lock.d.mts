export declare const LOCK_FILE: string;
export declare const MIGRATION_DIRS: string[];
export declare const GRANDFATHERED: Record<string, string[]>;
export declare function migrationFiles(root: string): string[];
export declare function importsOf(source: string): string[];
export declare function readLock(root: string): Record<string, string>;
export declare function checkMigrations(root: string): string[];
export declare function lockNewMigrations(root: string): string[];
