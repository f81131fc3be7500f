import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The report's `analysis` section (分析研判), learnt from events only:
 * - bad_category_rollups: the counted bad reviews by the 问题分类 their case was rectified with, filled here from the review
 *   facts by the same rule as the incremental path (bad, not suspect, not removed by an upheld appeal, a category set);
 * - problem_categories: the categories' names and parents (the default set of rectification's taxonomy is seeded here,
 *   admins' changes arrive as gov.problem-category.changed);
 * - problem_class_facts / problem_class_case_facts: each 类问题 as its latest gov.problem-class.* event tells it.
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

export class AnalysisFacts1735100000100 implements MigrationInterface {
  name = 'AnalysisFacts1735100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bad_category_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        category text NOT NULL,
        reviews integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_bad_category_rollups" PRIMARY KEY (unit_code, day, category)
      )`);
    await q.query(`
      INSERT INTO bad_category_rollups (unit_code, day, category, reviews)
      SELECT unit_code, day, problem_category, count(*) FROM review_facts
       WHERE submitted AND NOT suspect AND grade = 'BAD' AND problem_category IS NOT NULL AND unit_code IS NOT NULL AND day IS NOT NULL
         AND channel IS NOT NULL AND NOT coalesce(case_status = 'CLOSED' AND case_outcome = 'APPEAL_UPHELD', false)
       GROUP BY unit_code, day, problem_category`);
    await q.query(`
      CREATE TABLE problem_categories (
        code text NOT NULL,
        parent_code text,
        name text NOT NULL,
        sort integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_problem_categories" PRIMARY KEY (code)
      )`);
    for (const [i, [code, parent, name]] of SEED.entries()) {
      await q.query(`INSERT INTO problem_categories (code, parent_code, name, sort) VALUES ($1, $2, $3, $4)`, [code, parent, name, i]);
    }
    await q.query(`
      CREATE TABLE problem_class_facts (
        class_id uuid NOT NULL,
        version integer NOT NULL,
        category_code text NOT NULL,
        status text NOT NULL,
        opened_day date NOT NULL,
        solved_day date,
        unit_codes text array NOT NULL DEFAULT '{}',
        CONSTRAINT "PK_problem_class_facts" PRIMARY KEY (class_id)
      )`);
    await q.query(`CREATE INDEX problem_class_facts_opened_idx ON problem_class_facts (opened_day)`);
    await q.query(`CREATE INDEX problem_class_facts_solved_idx ON problem_class_facts (solved_day) WHERE solved_day IS NOT NULL`);
    await q.query(`
      CREATE TABLE problem_class_case_facts (
        class_id uuid NOT NULL,
        case_id uuid NOT NULL,
        unit_code text NOT NULL,
        CONSTRAINT "PK_problem_class_case_facts" PRIMARY KEY (class_id, case_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE problem_class_case_facts`);
    await q.query(`DROP TABLE problem_class_facts`);
    await q.query(`DROP TABLE problem_categories`);
    await q.query(`DROP TABLE bad_category_rollups`);
  }
}
