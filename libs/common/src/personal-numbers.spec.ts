import { maskFreeText, personalNumbersIn, plainNumberSpelling } from './personal-data.js';

describe('personal numbers in any spelling', () => {
  it('spells full-width digits, dashes and spaces plainly, one unit for one', () => {
    const text = '电话：１３８－００１３\u3000８０００（张）';
    const plain = plainNumberSpelling(text);
    expect(plain).toBe('电话：138-0013 8000(张)');
    expect(plain.length).toBe(text.length);
    expect(plainNumberSpelling('增设窗口')).toBe('增设窗口');
  });

  it.each([
    '已回电 138 0013 8000',
    '已回电13800138000',
    '已回电 138-0013-8000',
    '已回电 1380-013-8000',
    '已回电 1 3 8 0 0 1 3 8 0 0 0',
    '已回电 １３８００１３８０００',
    '已回电 １３８ ００１３ ８０００',
    '已回电 １３８－００１３－８０００',
    '已回电 138—0013—8000',
    '已回电 138.0013.8000',
    '已回电 +86 138 0013 8000',
    '已回电 ＋８６ １３８００１３８０００',
    '已回电 (138)0013-8000',
    '联系 021-64381234',
    '联系 (021) 6438 1234',
    '联系 ０２１－６４３８１２３４',
  ])('finds the phone number in %j', (text) => {
    expect(personalNumbersIn(text)).toEqual(['phone']);
  });

  it.each([
    '身份证 31010519800101123X',
    '身份证 310105 19800101 123X',
    '身份证 ３１０１０５１９８００１０１１２３Ｘ',
    '身份证 310105-1980-0101-123x',
  ])('finds the ID card number in %j', (text) => {
    expect(personalNumbersIn(text)).toEqual(['idCard']);
  });

  it.each([
    '增设窗口，优化叫号',
    '办理编号 2024112000012345678901',
    '办理编号 2024 1120 0001 2345 6789 01',
    '2024年11月20日 9:30 已整改，耗时 3 天',
    '退费 1,380.00 元',
    '窗口 3 号、5 号',
  ])('finds no personal number in %j', (text) => {
    expect(personalNumbersIn(text)).toEqual([]);
  });

  it('masks full-width numbers too, keeping the rest of the text as written', () => {
    expect(maskFreeText('请回电１３８００１３８０００，２号窗口')).toBe('请回电138****8000，２号窗口');
    expect(maskFreeText('电话 １３８－００１３－８０００')).toBe('电话 138****8000');
    expect(maskFreeText('电话 +86 138-1234-0000，谢谢')).toBe('电话 138****0000，谢谢');
    expect(maskFreeText('身份证３１０１０５１９８００１０１１２３Ｘ')).toBe('身份证3101**********123X');
    expect(maskFreeText('态度很差')).toBe('态度很差');
  });
});
