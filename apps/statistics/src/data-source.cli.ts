import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '#libs/database';
import { STATISTICS_SCHEMA } from './data-source.js';

/**
 * statistics's datasource for the TypeORM CLI (`npm run migration:* -- statistics`, scripts/migrations.ts):
 * the same schema, entities and migrations as the Nest module, on DATABASE_URL.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: the TypeORM CLI needs the database to work on.');

export default new DataSource(serviceDataSourceOptions(STATISTICS_SCHEMA, url, 2));
