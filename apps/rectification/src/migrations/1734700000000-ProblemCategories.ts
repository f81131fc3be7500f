import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 问题分类: a two-level taxonomy (category → sub-category) of what bad reviews complain about, seeded with the
 * default set of API.md (after GB/T 39734-2020 附录A). Codes are stable; names may be edited by admins; a
 * category is never deleted, only retired. Every change is kept in problem_category_changes. Cases record the
 * category their operator chose at rectify (null for cases rectified before categories existed).
 */
const SEED: ReadonlyArray<readonly [code: string, parent: string | null, name: string]> = [
  ['ATTITUDE', null, '服务态度'],
  ['ATTITUDE_RUDE', 'ATTITUDE', '态度生硬、语气冷漠'],
  ['ATTITUDE_SHIRKING', 'ATTITUDE', '推诿扯皮、不愿办理'],
  ['ATTITUDE_DISCIPLINE', 'ATTITUDE', '工作纪律(离岗、玩手机、闲聊)'],
  ['EFFICIENCY', null, '办事效率与等候'],
  ['EFFICIENCY_WAITING', 'EFFICIENCY', '排队等候时间长'],
  ['EFFICIENCY_SLOW', 'EFFICIENCY', '办理慢、超时限'],
  ['EFFICIENCY_WINDOWS', 'EFFICIENCY', '窗口开放不足'],
  ['PROCESS', null, '材料与流程'],
  ['PROCESS_MATERIALS', 'PROCESS', '材料要求多、重复提交'],
  ['PROCESS_TRIPS', 'PROCESS', '多次跑动、来回跑'],
  ['PROCESS_COMPLEX', 'PROCESS', '流程繁琐、环节多'],
  ['POLICY', null, '政策与标准'],
  ['POLICY_INCONSISTENT', 'POLICY', '口径不一、标准不统一'],
  ['POLICY_UNREASONABLE', 'POLICY', '规定不合理'],
  ['POLICY_FEES', 'POLICY', '收费问题'],
  ['SYSTEM', null, '系统与设备'],
  ['SYSTEM_ONLINE', 'SYSTEM', '网上办事平台故障'],
  ['SYSTEM_DEVICE', 'SYSTEM', '自助终端、设备故障'],
  ['SYSTEM_SLOW', 'SYSTEM', '系统卡顿、宕机'],
  ['ENVIRONMENT', null, '环境与设施'],
  ['ENVIRONMENT_PARKING', 'ENVIRONMENT', '停车难'],
  ['ENVIRONMENT_FACILITIES', 'ENVIRONMENT', '便民设施不足'],
  ['ENVIRONMENT_ORDER', 'ENVIRONMENT', '卫生与秩序'],
  ['GUIDANCE', null, '咨询与指引'],
  ['GUIDANCE_ANSWER', 'GUIDANCE', '解答不清、一次告知不到位'],
  ['GUIDANCE_SIGNAGE', 'GUIDANCE', '指引标识不清'],
  ['GUIDANCE_PHONE', 'GUIDANCE', '咨询电话难打通'],
  ['OTHER', null, '其他'],
];

export class ProblemCategories1734700000000 implements MigrationInterface {
  name = 'ProblemCategories1734700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE problem_categories (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,63}$'),
        parent_code text REFERENCES problem_categories (code),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        sort integer NOT NULL DEFAULT 0,
        retired boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX problem_categories_parent_idx ON problem_categories (parent_code)`);
    await q.query(`
      CREATE TABLE problem_category_changes (
        id bigserial PRIMARY KEY,
        code text NOT NULL REFERENCES problem_categories (code),
        action text NOT NULL CHECK (action IN ('CREATE', 'UPDATE')),
        actor text NOT NULL,
        before jsonb,
        after jsonb NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX problem_category_changes_code_idx ON problem_category_changes (code, id)`);
    for (const [i, [code, parent, name]] of SEED.entries()) {
      await q.query(`INSERT INTO problem_categories (code, parent_code, name, sort) VALUES ($1, $2, $3, $4)`, [code, parent, name, i]);
    }
    await q.query(`ALTER TABLE cases ADD COLUMN problem_category text REFERENCES problem_categories (code)`);
    await q.query(`CREATE INDEX cases_problem_category_idx ON cases (problem_category, opened_at DESC) WHERE problem_category IS NOT NULL`);
    // The similar-case search reads the latest cases of one service item.
    await q.query(`CREATE INDEX cases_service_item_idx ON cases ((matter ->> 'serviceItemCode'), opened_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cases_service_item_idx`);
    await q.query(`ALTER TABLE cases DROP COLUMN problem_category`);
    await q.query(`DROP TABLE problem_category_changes`);
    await q.query(`DROP TABLE problem_categories`);
  }
}
