import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The WCAG 2.1 A and AA rules axe checks. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * What axe finds serious or critical on the page as it stands (WCAG 2.1 AA), one line per rule and element, so that
 * a test can assert the list is empty and show what broke when it is not. The page's context needs `bypassCSP`
 * for axe's script (the pages' own CSP is checked by test/browser/page-csp.browser-spec.ts).
 */
export async function seriousAxeFindings(page: Page): Promise<string[]> {
  // A closed antd dropdown stays in the page, hidden, fading out for a moment after a choice: what nobody can see
  // or reach is not checked (an open one is, where a test leaves it open).
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).exclude('.ant-select-dropdown-hidden').analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(' ')}`));
}
