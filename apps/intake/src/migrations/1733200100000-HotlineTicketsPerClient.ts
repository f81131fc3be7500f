import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 12345 ticket ids are scoped per hotline client: two clients may use the same ticketId, each gets its own review. */
export class HotlineTicketsPerClient1733200100000 implements MigrationInterface {
  name = 'HotlineTicketsPerClient1733200100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX reviews_hotline_client_ticket_uq ON reviews (hotline_client_id, ticket_id) WHERE channel = 'HOTLINE_12345'`,
    );
    await q.query(`DROP INDEX reviews_hotline_ticket_uq`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX reviews_hotline_ticket_uq ON reviews (ticket_id) WHERE channel = 'HOTLINE_12345'`);
    await q.query(`DROP INDEX reviews_hotline_client_ticket_uq`);
  }
}
