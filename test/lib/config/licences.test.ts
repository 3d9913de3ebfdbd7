import { loadConfig, repositoryDefinition } from '../../../lib/config/load';
import { repositoryContext } from '../../helpers/app';
import { refusal } from '../../helpers/refusal';

test('fails when a licence on the allow-list is not an SPDX id, naming the field, the value and the closest id', () => {
  const platform = { ...repositoryDefinition.platform, licences: { allowed: ['MIT', 'apache 2.0', 'GPLv3-only'] } };

  const message = refusal(() =>
    loadConfig(
      { context: (key) => repositoryContext[key], env: {} },
      { ...repositoryDefinition, platform, services: [] },
    ),
  );

  expect(message).toContain(
    `platform.licences.allowed (lib/config/platform.ts): "apache 2.0" is not an SPDX licence id`,
  );
  expect(message).toContain("write 'Apache-2.0' if you mean it");
  expect(message).toContain('"GPLv3-only" is not an SPDX licence id');
  expect(message).toContain("write 'GPL-3.0-only' if you mean it");
  expect(message).not.toContain('"MIT"');
});
