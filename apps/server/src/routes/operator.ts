import { OpenAPIHono } from '@hono/zod-openapi';
import { ROLES, type Users } from '@jeton/db';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { problem } from '../problem.ts';
import { userSchema } from './accounts.ts';

const rolesBody = z.strictObject({
  roles: z
    .array(z.enum(ROLES))
    .max(ROLES.length)
    .meta({ description: 'The whole set; buyer is always kept, creator follows the creator profile.' }),
});

/**
 * What only operators do: give people the reviewer and operator roles (and take them back). A role
 * is checked where it is used; this is the one place that writes them.
 */
export function operatorRoutes(users: Users, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  endpoint(
    app,
    deps,
    {
      method: 'put',
      path: '/v1/users/{id}/roles',
      operationId: 'users.setRoles',
      summary: 'Set a user’s roles (operators only)',
      description:
        'Grants or removes reviewer and operator. Buyer stays, and creator stays exactly as the creator profile says. An operator cannot remove their own operator role (someone must remain).',
      tag: 'Operators',
      auth: 'session',
      body: rolesBody,
      responses: { 200: { description: 'The user with their roles', schema: userSchema } },
      problems: [404, 409],
    },
    async (c, { params, body }) => {
      const actor = c.get('actor');
      if (actor.role !== 'operator') {
        return problem('forbidden', 'Not allowed', 403, { detail: 'Only operators set roles.' });
      }
      const target = await users.get(params.id!);
      if (!target) return problem('user-not-found', 'No such user', 404);
      if (target.id === actor.id && !body.roles.includes('operator')) {
        return problem('last-operator', 'You cannot remove your own operator role', 409, {
          detail: 'Ask another operator.',
        });
      }
      const granted = new Set(body.roles.filter((r) => r === 'reviewer' || r === 'operator'));
      const kept = target.roles.filter((r) => r === 'buyer' || r === 'creator');
      const user = await users.setRoles(target.id, [...new Set([...kept, 'buyer' as const]), ...granted]);
      return c.json({
        id: user!.id,
        object: 'user' as const,
        email: user!.email,
        name: user!.name,
        roles: user!.roles,
        createdAt: user!.createdAt.toISOString(),
      });
    },
  );

  return app;
}
