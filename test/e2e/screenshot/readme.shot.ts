// Takes the README's screenshot (media/screenshot.png) in the browser run: the example
// workspace with the poisoned program open, its code lens and hover, the association tree and
// the graph beside it. Not part of `npm run test:e2e`; run it when the UI changes:
//   npm run package && npx mocha --config test/e2e/screenshot/.mocharc.json
import { join } from 'node:path';
import { driver } from '../driver';
import { BrowserDriver } from '../browser/browserDriver';
import { POISONED, REPO, find } from '../workspace';

it('takes the README screenshot', async () => {
  const d = driver();
  if (!(d instanceof BrowserDriver)) return;
  const workspace = process.env.BPF_ASSOC_E2E_WORKSPACE ?? '';
  await d.page.setViewportSize({ width: 1920, height: 1080 });
  await d.waitForActivation();
  const program = find(workspace, POISONED.file, /BPF_PROG\((test_1),/);
  await d.open(POISONED.file, program);
  await d.treeLabels();
  await d.showGraph();
  await d.command('View: Toggle Panel Visibility');
  await d.hover(POISONED.file, program);
  await d.page.screenshot({ path: join(REPO, 'media', 'screenshot.png') });
});
