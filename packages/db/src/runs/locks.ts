import { textList } from '../ledger/sql-runner.ts';
import { RUN_LOCK_SEED } from './submit.ts';

/**
 * Locks the concurrency slots (a buyer's, an agent's) of the given runs, in one global order, then the
 * runs' rows. Only starting takes the slots: it decides by counting, and two starts must not both take
 * the last slot. Ending a run only frees slots, so it never waits for them (see `unblockSql`).
 */
export function lockSlotsAndRunsSql(runIds: readonly string[]): string[] {
  const ids = textList(runIds);
  return [
    `select count(*) from (select pg_advisory_xact_lock(k) from (
        select distinct hashtextextended('b:' || buyer_id, ${RUN_LOCK_SEED}) as k from runs where id in ${ids}
        union
        select distinct hashtextextended('a:' || agent_id, ${RUN_LOCK_SEED}) from runs where id in ${ids}
        order by k) x) y`,
    lockRunsSql(runIds),
  ];
}

/** The runs' rows, locked in id order, as one JSON array. */
export function lockRunsSql(runIds: readonly string[]): string {
  return `select coalesce(json_agg(row_to_json(r)), '[]'::json) as runs
       from (select * from runs where id in ${textList(runIds)} order by id for update) r`;
}

/** The active runs of the buyers and agents of the given runs, counted (after the slots are locked). */
export function activeCountsOfRunsSql(runIds: readonly string[]): string {
  const ids = textList(runIds);
  return `select coalesce(json_agg(c), '[]'::json) as counts from (
      select 'b' as kind, buyer_id as id, count(*)::int as n from runs
       where status in ('running','awaiting_input') and buyer_id in (select buyer_id from runs where id in ${ids})
       group by buyer_id
      union all
      select 'a', agent_id, count(*)::int from runs
       where status in ('running','awaiting_input') and agent_id in (select agent_id from runs where id in ${ids})
       group by agent_id
    ) c`;
}

/** The running (or waiting-for-an-answer) runs of the given buyers and agents, counted. */
export function activeCountsSql(buyerIds: readonly string[], agentIds: readonly string[]): string {
  return `select coalesce(json_agg(c), '[]'::json) as counts from (
      select 'b' as kind, buyer_id as id, count(*)::int as n from runs
       where status in ('running','awaiting_input') and buyer_id in ${textList(buyerIds)} group by buyer_id
      union all
      select 'a', agent_id, count(*)::int from runs
       where status in ('running','awaiting_input') and agent_id in ${textList(agentIds)} group by agent_id
    ) c`;
}

/**
 * Offers queued runs that wait for a slot of these buyers or agents again (oldest first): their jobs are
 * sent anew and the start decides once more. Offering one run too many costs a job, never a limit. An
 * end does not wait for starts in progress, so a run marked blocked at the very moment a slot frees
 * can be missed here: the sweep offers it again (within `JETON_RUN_SWEEP_SECONDS`).
 */
export function unblockSql(buyerIds: readonly string[], agentIds: readonly string[], limit: number): string {
  return `with picked as (
      select id from runs
       where blocked_on is not null and status = 'queued'
         and ((blocked_on = 'buyer' and buyer_id in ${textList(buyerIds)})
              or (blocked_on = 'agent' and agent_id in ${textList(agentIds)}))
       order by created_at limit ${Math.trunc(limit)} for update skip locked
    ), upd as (update runs set blocked_on = null where id in (select id from picked) returning id)
    select coalesce(json_agg(id), '[]'::json) as ids from upd`;
}
