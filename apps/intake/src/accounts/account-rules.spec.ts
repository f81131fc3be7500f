import { passwordProblems, throttledMessage } from './account-rules.js';

describe('password policy', () => {
  it('accepts a long password of three character classes', () => {
    expect(passwordProblems('Wuxi-hall-2024', 'zhang.san')).toEqual([]);
    expect(passwordProblems('correcthorse42!', 'li')).toEqual([]);
  });

  it('names every problem of a bad password', () => {
    expect(passwordProblems('abc', 'zhang')).toEqual(['密码至少 10 个字符', '密码须包含小写字母、大写字母、数字、符号中的至少三类']);
    expect(passwordProblems('aaaaaaaaaaaa', 'zhang')).toEqual(['密码须包含小写字母、大写字母、数字、符号中的至少三类']);
    expect(passwordProblems('Zhang.San-2024', 'zhang.san')).toEqual(['密码不能包含用户名']);
    expect(passwordProblems(`Aa1${'x'.repeat(130)}`, 'zhang')).toEqual(['密码最多 128 个字符']);
  });
});

describe('the throttled login message', () => {
  it('says until when in Beijing time, whatever the server zone', () => {
    expect(throttledMessage(new Date('2024-11-20T16:05:09.400Z'))).toBe('登录失败次数过多，请于北京时间 2024-11-21 00:05:09 之后再试');
    expect(throttledMessage(new Date('2024-12-31T15:59:59Z'))).toBe('登录失败次数过多，请于北京时间 2024-12-31 23:59:59 之后再试');
  });
});
