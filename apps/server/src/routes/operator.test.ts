import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { signUp, startTestServer } from '../testing/api-client.ts';

/** Roles are given by operators only, from a session, and an operator cannot demote themself. */
describe('operators set roles', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('lets an operator grant and remove reviewer, and no one else', async () => {
    const url = server.url!;
    const operator = await signUp(url, 'Operator');
    const person = await signUp(url, 'Person');
    await server.users.addRole(operator.id, 'operator');

    const byPerson = await person.call(`/v1/users/${operator.id}/roles`, {
      method: 'PUT',
      body: { roles: ['buyer'] },
    });
    expect(byPerson.status).toBe(403);

    const grant = await operator.call(`/v1/users/${person.id}/roles`, {
      method: 'PUT',
      body: { roles: ['reviewer'] },
    });
    expect(grant.status).toBe(200);
    expect(grant.json.roles).toEqual(['buyer', 'reviewer']);
    expect((await person.call('/v1/me')).json.roles).toEqual(['buyer', 'reviewer']);

    // Creator follows the creator profile: an operator can neither give it nor take it away here.
    await person.call('/v1/me/creator-profile', {
      method: 'PUT',
      body: { handle: 'person-labs', displayName: 'P' },
    });
    const removed = await operator.call(`/v1/users/${person.id}/roles`, {
      method: 'PUT',
      body: { roles: [] },
    });
    expect(removed.json.roles).toEqual(['buyer', 'creator']);

    const self = await operator.call(`/v1/users/${operator.id}/roles`, {
      method: 'PUT',
      body: { roles: [] },
    });
    expect(self.status).toBe(409);
    expect(
      (await operator.call(`/v1/users/usr_nobody/roles`, { method: 'PUT', body: { roles: [] } })).status,
    ).toBe(404);
  });
});
