import { type Candidate, mostSimilar } from './text-similarity.js';

/**
 * Suggests 问题分类 for a complaint from three kinds of evidence, each a plain, inspectable rule:
 * 1. the words of the text (jieba tokens) against a lexicon of domain vocabulary per sub-category;
 * 2. the PAD tags the citizen ticked (a tag points at a top-level category, REPEATED_VISITS at 多次跑动);
 * 3. the deployment's own history: cases already categorized by operators — the nearest texts vote with their
 *    TF-IDF similarity (k nearest neighbours), and the categories chosen before for the same service item
 *    weigh in by their share.
 * A suggestion is only a suggestion; the operator decides at rectify.
 */

/** Domain vocabulary per sub-category, weighted 1 (hint) to 3.5 (says it outright). */
// prettier-ignore
export const LEXICON: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ATTITUDE_RUDE: {
    态度: 2, 冲: 1.5, 不耐烦: 2, 凶: 2, 吼: 2.5, 骂: 2.5, 冷漠: 2.5, 冷冰冰: 2.5, 爱答不理: 2.5, 翻白眼: 2.5,
    呵斥: 2.5, 训: 1.5, 不客气: 2, 阴阳怪气: 2.5, 耐心: 1.5, 恶劣: 2, 烦: 1.5, 好好说话: 2, 服务意识: 1.5, 语气: 2,
  },
  ATTITUDE_SHIRKING: {
    推诿: 3, 踢皮球: 3, 扯皮: 3, 不归: 2.5, 负责: 1.5, 推说: 2.5, 推脱: 3, 推来推去: 3, 不愿意管: 3, 不想管: 3,
    不想办: 3, 打发: 2.5, 不给办: 2.5, 无关: 2, 问别人: 1.5, 推: 1.5, 嫌麻烦: 2.5,
  },
  ATTITUDE_DISCIPLINE: {
    玩手机: 3, 手机: 1.5, 聊天: 2.5, 离岗: 3, 抖音: 3, 吃东西: 2.5, 吃早饭: 2.5, 熟人: 2.5, 私人电话: 3, 看视频: 3,
    游戏: 2.5, 工牌: 3, 座位: 1, 提前: 1.5, 关窗口: 2.5, 有说有笑: 2.5, 上班时间: 2.5, 没人上班: 3, 工作时间: 2,
  },
  EFFICIENCY_WAITING: {
    排队: 2, 等候: 1.5, 小时: 1.5, 钟头: 1.5, 取号: 1.5, 叫号: 1.5, 轮到: 2, 排长队: 2.5, 人太多: 2, 一上午: 1.5,
    太久: 2, 好久: 1.5, 等: 1, 号: 1, 排: 1.5,
  },
  EFFICIENCY_SLOW: {
    工作日: 2, 拖: 2.5, 半个月: 2, 个月: 1.5, 礼拜: 1.5, 一周: 1.5, 没消息: 2.5, 卡着: 2, 到账: 2.5, 审核: 2,
    审批: 1.5, 时限: 2.5, 超时: 3, 慢: 1.5, 磨蹭: 3, 迟迟: 2.5, 一拖再拖: 3, 进度: 1, 还没: 1.5,
  },
  EFFICIENCY_WINDOWS: {
    只开: 3, 多开: 3, 开放: 2, 值班: 2.5, 空着: 2, 暂停服务: 3, 关着: 2, 加人: 2.5, 增加窗口: 3, 忙不过来: 2.5,
    周末: 2.5, 延时: 3, 开门: 2, 窗口: 1, 几个窗口: 2,
  },
  PROCESS_MATERIALS: {
    材料: 2.5, 复印件: 2.5, 证明: 2.5, 原件: 2.5, 盖章: 1.5, 证件: 2, 资料: 2.5, 表格: 1.5, 户口本: 2, 重复提交: 3,
    打印: 1.5, 照片: 1.5, 规格: 2, 模板: 2, 病历: 2, 交过: 2.5,
  },
  PROCESS_TRIPS: {
    跑: 2.5, 趟: 3, 来回: 2.5, 白跑: 3, 几次: 2, 第三次: 2.5, 第二次: 2, 折腾: 2, 跑断腿: 3, 跑一次: 3, 跑了: 3,
    又来: 2, 再来: 1.5,
  },
  PROCESS_COMPLEX: {
    繁琐: 3, 环节: 3, 流程: 2.5, 手续: 2, 复杂: 2.5, 麻烦: 1.5, 步骤: 2.5, 程序: 2, 签字: 1.5, 手印: 2, 一窗: 2.5,
    层层: 3, 简化: 3, 繁杂: 3, 科室: 2,
  },
  POLICY_INCONSISTENT: {
    说法: 2.5, 不一样: 3, 网上说: 2.5, 隔壁: 2.5, 口径: 3, 不统一: 3, 矛盾: 3, 对不上: 2.5, 不同: 2, 答案: 2.5,
    上次: 1.5, 这次: 1.5, 换个人: 2.5, 前后: 2,
  },
  POLICY_UNREASONABLE: {
    规定: 2.5, 不合理: 3, 死板: 3, 一刀切: 3, 本人到场: 2.5, 条件: 2, 限制: 2.5, 门槛: 3, 人性化: 2.5, 政策: 1.5,
    比例: 2, 起付线: 3, 额度: 2.5, 没道理: 3, 严: 2,
  },
  POLICY_FEES: {
    收费: 3, 费: 2, 钱: 2, 块: 2, 涨: 2, 工本费: 3, 收据: 2.5, 贵: 2.5, 价格: 2.5, 现金: 2, 缴费: 2.5, 滞纳金: 3,
    手续费: 3, 加急费: 3, 免费: 2.5, 退款: 2.5, 强制: 2, 乱收费: 3.5,
  },
  SYSTEM_ONLINE: {
    网上: 2.5, 网站: 3, app: 3, 小程序: 3, 一网通办: 3, 登录: 2.5, 验证码: 3, 页面: 2, 上传: 2.5, 人脸识别: 3,
    公众号: 3, 链接: 3, 线上: 3, 实名认证: 3, 电子凭证: 3, 12123: 3, 网办: 3, 电子税务局: 3, 报错: 2.5, 闪退: 3,
    浏览器: 3, 转圈: 3, 激活: 2.5,
  },
  SYSTEM_DEVICE: {
    自助: 3, 查询机: 3, 取号机: 3, 打印机: 3, 卡纸: 3, 设备: 3, 机器: 3, 屏幕: 2, 评价器: 3, 指纹: 3, 采集器: 3,
    刷卡机: 3, 高拍仪: 3, 签字板: 3, 坏: 2, 坏了: 2.5, 没反应: 2, 维护中: 1.5, 拍照: 1.5,
  },
  SYSTEM_SLOW: {
    系统: 2.5, 崩: 3, 很卡: 3, 卡: 1.5, 宕机: 3, 断网: 3, 网络: 2.5, 故障: 2, 升级: 2.5, 死机: 3, 重启: 2.5,
    掉线: 3, 服务器: 3, 电脑: 2.5, 同步: 2.5, 维护: 2, 刷不出来: 3, 反应慢: 3,
  },
  ENVIRONMENT_PARKING: {
    停车: 3.5, 车位: 3.5, 停车场: 3.5, 贴条: 3, 车库: 3.5, 电动车: 3, 路边: 2, 停: 1.5,
  },
  ENVIRONMENT_FACILITIES: {
    椅子: 3, 座位: 2.5, 饮水机: 3, 老花镜: 3, 空调: 3, 热: 2, 冷: 1.5, 无障碍: 3, 轮椅: 3, 母婴室: 3, 充电: 3,
    电梯: 3, 太挤: 2.5, 灯光: 3, 暗: 2.5, 站着: 1, 笔: 2, 厕所: 1.5, 复印的地方: 3,
  },
  ENVIRONMENT_ORDER: {
    脏: 3, 抽烟: 3, 黄牛: 3.5, 吵: 3, 垃圾: 3, 插队: 2.5, 保安: 2.5, 秩序: 3, 乱: 2, 小广告: 3, 卫生间: 2.5,
    卫生: 2.5, 吵架: 3, 怪味: 3, 通风: 3, 一米线: 3, 灰: 2.5, 号贩子: 3.5, 闹: 2.5,
  },
  GUIDANCE_ANSWER: {
    说清楚: 2.5, 不清: 2.5, 不懂: 2.5, 一问三不知: 3.5, 解释: 2, 含糊: 3, 不明白: 2.5, 一次性告知: 3.5, 告知: 2.5,
    业务不熟练: 3, 熟练: 2.5, 听不懂: 3, 咨询: 1.5, 模棱两可: 3, 不专业: 3, 不知道: 1.5, 清单: 2.5, 解读: 3,
    回答: 2,
  },
  GUIDANCE_SIGNAGE: {
    找不到: 3, 指示牌: 3.5, 指示: 3, 楼层: 3, 标识: 3.5, 绕: 2.5, 引导: 2.5, 地址: 2.5, 路线: 3, 指引: 3, 走错: 3,
    导航: 3, 牌子: 3, 入口: 3, 标志: 3, 箭头: 3, 办事指南: 3, 一脸懵: 2.5,
  },
  GUIDANCE_PHONE: {
    电话: 3.5, 打电话: 3.5, 没人接: 3.5, 占线: 3.5, 空号: 3.5, 热线: 3, 转人工: 3.5, 人工: 2, 接通: 3, 打不通: 3.5,
    客服: 2.5, 回电: 3, 座机: 3.5, 语音: 3,
  },
};

/** PAD tags (libs/contracts TAG_LABELS) → the sub-categories they point at, with a weight each. */
export const TAG_HINTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ATTITUDE: { ATTITUDE_RUDE: 1.5, ATTITUDE_SHIRKING: 1, ATTITUDE_DISCIPLINE: 1 },
  EFFICIENCY: { EFFICIENCY_WAITING: 1.2, EFFICIENCY_SLOW: 1, EFFICIENCY_WINDOWS: 1 },
  PROCESS: { PROCESS_MATERIALS: 1, PROCESS_COMPLEX: 1, PROCESS_TRIPS: 0.5 },
  REPEATED_VISITS: { PROCESS_TRIPS: 2 },
  GUIDANCE: { GUIDANCE_ANSWER: 1, GUIDANCE_SIGNAGE: 1, GUIDANCE_PHONE: 0.5 },
  ENVIRONMENT: { ENVIRONMENT_FACILITIES: 1, ENVIRONMENT_ORDER: 1, ENVIRONMENT_PARKING: 1 },
  POLICY: { POLICY_UNREASONABLE: 1, POLICY_INCONSISTENT: 1, POLICY_FEES: 0.5 },
  OTHER: { OTHER: 1 },
};

/** The weights of the evidence, tuned on the build half of the labelled set (BENCHMARKS.md). */
export const SCORING = {
  /** What OTHER scores with no evidence at all: a text that says nothing specific lands there. */
  otherBaseline: 1.2,
  /** Each of the k nearest categorized cases adds `neighbourWeight × similarity` to its category. */
  neighbours: 7,
  neighbourWeight: 3,
  neighbourMinSimilarity: 0.15,
  /** A service item's earlier categories add `serviceItemWeight × share` once it has `serviceItemMinCases`. */
  serviceItemWeight: 1,
  serviceItemMinCases: 5,
} as const;

export interface CategorizedCase {
  category: string;
  serviceItemCode: string | null;
  tokens: readonly string[];
}

export interface ComplaintEvidence {
  /** The raw text (for multi-word lexicon entries jieba may split) and its jieba tokens. */
  text: string;
  tokens: readonly string[];
  tags: readonly string[];
  serviceItemCode: string | null;
}

/** The lexicon words a text contains, per sub-category (a word jieba split apart still counts when it is in the raw text). */
function lexiconHits(text: string, tokens: readonly string[]): Array<[code: string, word: string, weight: number]> {
  const set = new Set(tokens);
  const lower = text.toLowerCase();
  const hits: Array<[string, string, number]> = [];
  for (const [code, words] of Object.entries(LEXICON)) {
    for (const [word, weight] of Object.entries(words)) {
      if (set.has(word) || (word.length >= 2 && lower.includes(word))) hits.push([code, word, weight]);
    }
  }
  return hits;
}

/**
 * What the similar-case search compares: the text's words plus one `#CODE` pseudo-word per lexicon word it
 * contains, so two complaints about the same kind of problem in different words (排队两小时 / 等了好久) meet.
 */
export function similarityTerms(text: string, tokens: readonly string[]): string[] {
  // Each hit counts as often as its weight (rounded): a word that says the problem outright weighs more.
  return [...tokens, ...lexiconHits(text, tokens).flatMap(([code, , weight]) => Array<string>(Math.round(weight)).fill(`#${code}`))];
}

export interface CategoryScore {
  code: string;
  /** Share of the evidence, 0–1; the scores of all returned categories sum to at most 1. */
  score: number;
}

/**
 * Scores the categories for one complaint; `selectable` limits the answer to active codes (a retired
 * category is never suggested). Best first, at most `limit`.
 */
export function scoreCategories(
  evidence: ComplaintEvidence,
  history: readonly CategorizedCase[],
  selectable: ReadonlySet<string>,
  limit = 5,
): CategoryScore[] {
  const raw = new Map<string, number>();
  const add = (code: string, w: number) => raw.set(code, (raw.get(code) ?? 0) + w);
  for (const [code, , weight] of lexiconHits(evidence.text, evidence.tokens)) add(code, weight);
  for (const tag of evidence.tags) for (const [code, w] of Object.entries(TAG_HINTS[tag] ?? {})) add(code, w);
  const candidates: Candidate<CategorizedCase>[] = history.map((h) => ({ item: h, tokens: h.tokens }));
  for (const n of mostSimilar(evidence.tokens, candidates, { limit: SCORING.neighbours, minSimilarity: SCORING.neighbourMinSimilarity })) {
    add(n.item.category, SCORING.neighbourWeight * n.similarity);
  }
  if (evidence.serviceItemCode) {
    const same = history.filter((h) => h.serviceItemCode === evidence.serviceItemCode);
    if (same.length >= SCORING.serviceItemMinCases) {
      for (const h of same) add(h.category, SCORING.serviceItemWeight / same.length);
    }
  }
  add('OTHER', SCORING.otherBaseline);
  const kept = [...raw].filter(([code, w]) => w > 0 && selectable.has(code));
  const total = kept.reduce((s, [, w]) => s + w, 0);
  return kept
    .map(([code, w]) => ({ code, score: Math.round((w / total) * 1000) / 1000 }))
    .sort((a, b) => b.score - a.score || a.code.localeCompare(b.code))
    .slice(0, limit);
}
