import { createRequire } from 'node:module';
import type { Jieba as JiebaType } from '@node-rs/jieba';

/**
 * Chinese word segmentation with jieba (@node-rs/jieba: the jieba-rs dictionary and HMM, prebuilt native
 * binaries). One instance per process, loaded on first use (the dictionary takes ~100 ms to load).
 */
const require = createRequire(import.meta.url);
let jieba: JiebaType | null = null;

function instance(): JiebaType {
  if (!jieba) {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** Function words and fillers that say nothing about the problem. */
const STOPWORDS = new Set(
  '的 了 是 我 你 他 她 我们 他们 就 都 也 还 又 在 和 与 很 太 吧 啊 呢 吗 嘛 呀 把 被 让 给 这 那 这个 那个 一个 一下 有 没 不 什么 怎么 就是 还是 可以 能 会 要 说 去 来 到 上 下 里 着 过 一 个 人 事 办'.split(
    ' ',
  ),
);

/** The words of a text: lower-cased, without punctuation, whitespace, digits-only tokens and stopwords. */
export function segment(text: string): string[] {
  return instance()
    .cut(text.toLowerCase(), true)
    .map((t) => t.trim())
    .filter((t) => t.length > 0 && /[\p{L}]/u.test(t) && !STOPWORDS.has(t));
}
