import { parseManifest } from '@jeton/core';
import { describe, expect, it } from 'vitest';
import { testManifest } from './builtin/fixtures/manifest.ts';
import { secretsFromEnv, secretVariable } from './secrets.ts';

describe('secrets from the environment', () => {
  it('gives an agent only the secrets its manifest declares, from its own variables', async () => {
    const m = parseManifest(
      testManifest('code-audit', { secrets: [{ name: 'API_TOKEN' }, { name: 'UNSET_ONE' }] }),
    );
    if (!m.ok) throw new Error('bad manifest');
    expect(secretVariable('code-audit', 'API_TOKEN')).toBe('JETON_SECRET_CODE_AUDIT__API_TOKEN');
    const secrets = await secretsFromEnv({
      JETON_SECRET_CODE_AUDIT__API_TOKEN: 'tok',
      JETON_SECRET_CODE_AUDIT__OTHER: 'not declared',
      JETON_SECRET_BRAND_KIT__API_TOKEN: 'another agent’s',
      JETON_SECRET_CODE_AUDIT__UNSET_ONE: '',
    })(m.value);
    expect(secrets).toEqual({ API_TOKEN: 'tok' });
  });
});
