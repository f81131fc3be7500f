import 'reflect-metadata'; // the contracts' event schemas carry class-validator decorators
import { canBePublished, defaultPublishedMatter, personalDataIn } from './publication-rules.js';

describe('publishing a closed case as a 以评促改 example', () => {
  it('is allowed only for a case closed as rectified or explained', () => {
    expect(canBePublished('CLOSED', 'RECTIFIED')).toBe(true);
    expect(canBePublished('CLOSED', 'EXPLAINED')).toBe(true);
    expect(canBePublished('CLOSED', 'APPEAL_UPHELD')).toBe(false);
    for (const status of ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'APPEALING'] as const)
      expect(canBePublished(status, null)).toBe(false);
  });

  it('words the matter from structured fields only', () => {
    const matter = {
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level: 1,
      tags: ['EFFICIENCY', 'ATTITUDE'],
      comment: '张三说13800138000',
    };
    expect(defaultPublishedMatter('BAD_REVIEW', matter)).toBe('食品经营许可（非常不满意：办事效率低、服务态度差）');
    expect(defaultPublishedMatter('BAD_REVIEW', { serviceItemCode: 'WALK-IN', level: 2 })).toBe('窗口服务（不满意）');
    expect(defaultPublishedMatter('BAD_REVIEW', { serviceItemCode: 'X-1', level: 2, tags: ['NOPE'] })).toBe('X-1（不满意）');
    expect(defaultPublishedMatter('HOTLINE', { content: '态度差' })).toBeNull();
    expect(defaultPublishedMatter('UNRESOLVED', { matter: '无法办理' })).toBeNull();
  });

  it('finds phone and ID numbers, the staff id and the reviewer name in a text', () => {
    expect(personalDataIn('增设窗口，优化叫号', { staffId: 'E1024', reviewerName: '张三' })).toEqual([]);
    expect(personalDataIn('已回电13800138000', {})).toEqual(['must not contain a phone number']);
    expect(personalDataIn('联系021-64381234', {})).toEqual(['must not contain a phone number']);
    expect(personalDataIn('身份证31010519800101123X', {})).toEqual(['must not contain an ID card number']);
    expect(personalDataIn('工号E1024已培训', { staffId: 'E1024' })).toEqual(['must not name the staff member (工号)']);
    expect(personalDataIn('已向张三致歉', { reviewerName: '张三' })).toEqual(["must not contain the reviewer's name"]);
    expect(personalDataIn('办理编号 2024112000012345678901', {})).toEqual([]); // a longer digit run is neither
    // In any spelling: spaces, dashes, full-width digits.
    for (const spelled of ['已回电 138 0013 8000', '已回电 138-0013-8000', '已回电 １３８ ００１３ ８０００', '联系 (021) 6438 1234'])
      expect(personalDataIn(spelled, {})).toEqual(['must not contain a phone number']);
    expect(personalDataIn('身份证 310105 19800101 123X', {})).toEqual(['must not contain an ID card number']);
  });
});
