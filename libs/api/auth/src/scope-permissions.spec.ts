import { scopeSatisfies } from '@polymaker/api/core';
import { PERMISSIONS, permissionsOf } from './scope-permissions';

describe('scopes', () => {
  it('form a hierarchy on the admin API and keep bot routes to bot and admin keys', () => {
    const scopes = ['bot', 'viewer', 'operator', 'admin'] as const;
    const table = Object.fromEntries(
      scopes.map((have) => [have, scopes.filter((need) => scopeSatisfies(have, need))]),
    );
    expect(table).toEqual({
      bot: ['bot'],
      viewer: ['viewer'],
      operator: ['viewer', 'operator'],
      admin: ['bot', 'viewer', 'operator', 'admin'],
    });
  });

  it('grant each permission to its scope and every higher one', () => {
    expect(permissionsOf('bot')).toEqual([]);
    expect(permissionsOf('viewer')).toEqual(['read', 'audit.read']);
    expect(permissionsOf('operator')).not.toContain('keys.manage');
    expect(permissionsOf('operator')).toContain('configs.pause');
    expect(permissionsOf('admin')).toEqual(Object.keys(PERMISSIONS));
  });
});
