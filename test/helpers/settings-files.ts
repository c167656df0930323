import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SETTINGS_FILE } from '../../lambda/shared/constants';

/**
 * The path of a settings file holding `text`, in a fresh temporary folder, as a construct writes it
 * next to a handler; with `undefined`, the path of a file that does not exist.
 */
export function settingsFileWith(text: string | undefined): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'settings-')), SETTINGS_FILE);
  if (text !== undefined) {
    writeFileSync(file, text);
  }
  return file;
}
