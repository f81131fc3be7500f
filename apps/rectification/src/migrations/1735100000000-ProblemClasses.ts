import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 类问题: supervisors group cases of any unit into a problem class of one 问题分类, assign improvement actions
 * (优化一类服务) to units with due dates, units report them done with evidence, supervisors accept or return them; a
 * class whose actions are all accepted is SOLVED. Every step is kept in problem_class_timeline.
 */
export class ProblemClasses1735100000000 implements MigrationInterface {
  name = 'ProblemClasses1735100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE problem_classes (
        id uuid NOT NULL,
        title text NOT NULL,
        category_code text NOT NULL,
        description text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN',
        opened_by text NOT NULL,
        opened_at timestamptz NOT NULL,
        solved_at timestamptz,
        version integer NOT NULL,
        CONSTRAINT problem_classes_pkey PRIMARY KEY (id),
        CONSTRAINT problem_classes_status_check CHECK (status IN ('OPEN', 'SOLVED')),
        CONSTRAINT problem_classes_category_code_fkey FOREIGN KEY (category_code) REFERENCES problem_categories (code)
      )`);
    await q.query(`CREATE INDEX problem_classes_status_idx ON problem_classes (status, opened_at)`);
    await q.query(`
      CREATE TABLE problem_class_cases (
        class_id uuid NOT NULL,
        case_id uuid NOT NULL,
        added_by text NOT NULL,
        added_at timestamptz NOT NULL,
        CONSTRAINT problem_class_cases_pkey PRIMARY KEY (class_id, case_id),
        CONSTRAINT problem_class_cases_class_id_fkey FOREIGN KEY (class_id) REFERENCES problem_classes (id),
        CONSTRAINT problem_class_cases_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id)
      )`);
    await q.query(`CREATE INDEX problem_class_cases_case_idx ON problem_class_cases (case_id)`);
    await q.query(`
      CREATE TABLE improvement_actions (
        id uuid NOT NULL,
        class_id uuid NOT NULL,
        unit_code text NOT NULL,
        unit_name text NOT NULL,
        action text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'ASSIGNED',
        assigned_by text NOT NULL,
        assigned_at timestamptz NOT NULL,
        reported_at timestamptz,
        report text,
        evidence text array NOT NULL DEFAULT '{}',
        accepted_at timestamptz,
        return_note text,
        returned_count integer NOT NULL DEFAULT 0,
        CONSTRAINT improvement_actions_pkey PRIMARY KEY (id),
        CONSTRAINT improvement_actions_status_check CHECK (status IN ('ASSIGNED', 'REPORTED', 'ACCEPTED', 'RETURNED')),
        CONSTRAINT improvement_actions_class_id_fkey FOREIGN KEY (class_id) REFERENCES problem_classes (id)
      )`);
    await q.query(`CREATE INDEX improvement_actions_class_idx ON improvement_actions (class_id, assigned_at)`);
    await q.query(`CREATE INDEX improvement_actions_unit_idx ON improvement_actions (unit_code, status)`);
    await q.query(`
      CREATE TABLE problem_class_timeline (
        id bigserial NOT NULL,
        class_id uuid NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        actor_role text,
        action_id uuid,
        unit_code text,
        note text,
        data jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL,
        CONSTRAINT problem_class_timeline_pkey PRIMARY KEY (id),
        CONSTRAINT problem_class_timeline_class_id_fkey FOREIGN KEY (class_id) REFERENCES problem_classes (id)
      )`);
    await q.query(`CREATE INDEX problem_class_timeline_class_idx ON problem_class_timeline (class_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE problem_class_timeline`);
    await q.query(`DROP TABLE improvement_actions`);
    await q.query(`DROP TABLE problem_class_cases`);
    await q.query(`DROP TABLE problem_classes`);
  }
}
