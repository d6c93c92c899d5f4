/** Configuration from the environment: safe defaults and errors that name the variable and the bad value. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('reads the internal addresses link checks may reach, and names a bad entry', () => {
    expect(loadConfig({}).linkAllowInternal).toEqual([]);
    expect(loadConfig({ LASTGATE_LINK_CHECK_ALLOW_INTERNAL: ' 10.20.0.0/16, fd00::/8 ,' }).linkAllowInternal).toEqual(['10.20.0.0/16', 'fd00::/8']);
    expect(() => loadConfig({ LASTGATE_LINK_CHECK_ALLOW_INTERNAL: '10.0.0.0/8,intranet' })).toThrow(/LASTGATE_LINK_CHECK_ALLOW_INTERNAL: .*"intranet"/);
  });
});
