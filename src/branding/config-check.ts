import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { contrastRatio, WCAG_AA } from './contrast.js';
import { logoType } from './logo.js';

/** The logo must be an image, the colour readable with white text and as text on white. (Unreadable files are named elsewhere.) */
export function brandingConfigProblems(config: Config): string[] {
  const { logo, primaryColor } = config.branding;
  const problems: string[] = [];
  if (logo && existsSync(resolve(logo))) {
    try {
      const type = logoType(readFileSync(resolve(logo)));
      if ('problem' in type) problems.push(`branding.logo: "${logo}" ${type.problem}`);
    } catch {
      // An unreadable file is already reported by the file check.
    }
  }
  if (primaryColor) {
    const ratio = contrastRatio(primaryColor, '#ffffff');
    if (ratio < WCAG_AA) {
      problems.push(`branding.primaryColor: ${primaryColor} has a contrast of ${ratio.toFixed(2)}:1 with white, below the ${WCAG_AA}:1 WCAG AA needs for text (choose a darker colour)`);
    }
  }
  return problems;
}
