/** The relational engines the data layer runs, and the one port each listens on. */
export const DATABASE_PORTS = { postgres: 5432, mysql: 3306, 'aurora-postgresql': 5432 } as const;
export type DatabaseEngine = keyof typeof DATABASE_PORTS;
export const REDIS_PORT = 6379;
