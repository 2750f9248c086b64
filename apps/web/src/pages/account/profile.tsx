import { Link } from 'wouter';
import type { Me } from '../../api.ts';
import { when } from '../../ui/format.ts';

/** Who is signed in: name, email, roles, creator profile. */
export function Profile({ me }: { me: Me }) {
  return (
    <section aria-labelledby="profile-title" className="card account-profile">
      <h2 id="profile-title">Profile</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{me.name}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Roles</dt>
        <dd>
          {me.roles.map((r) => (
            <span key={r} className="badge">
              {r}
            </span>
          ))}
        </dd>
        {me.creator ? (
          <>
            <dt>Creator</dt>
            <dd>
              {me.creator.displayName} (@{me.creator.handle}) · <Link href="/studio">Studio</Link>
            </dd>
          </>
        ) : null}
        <dt>Member since</dt>
        <dd>{when(me.createdAt)}</dd>
      </dl>
    </section>
  );
}
