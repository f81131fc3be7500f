import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '#libs/database';
import { RECTIFICATION_SCHEMA } from './data-source.js';

/**
 * rectification's datasource for the TypeORM CLI (`npm run migration:* -- rectification`, scripts/migrations.ts):
 * the same schema, entities and migrations as the Nest module, on DATABASE_URL.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: the TypeORM CLI needs the database to work on.');

export default new DataSource(serviceDataSourceOptions(RECTIFICATION_SCHEMA, url, 2));
