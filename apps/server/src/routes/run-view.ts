import type { Artifact, Run, RunEvent } from '@jeton/core';

/** A run as the API shows it. The hold and the request fingerprint are the platform's business. */
export function runJson(r: Run) {
  return {
    id: r.id,
    object: 'run',
    agent: { id: r.agentId, slug: r.slug, version: r.version },
    status: r.status,
    input: r.input,
    pricing: r.pricing,
    quote: r.maxCredits,
    charged: r.charged,
    refunded: r.refunded,
    usage: r.usage,
    attempt: r.attempt,
    waitingFor: r.status === 'queued' && r.blockedOn ? `${r.blockedOn}_concurrency` : null,
    question: r.question
      ? {
          id: r.question.id,
          text: r.question.text,
          schema: r.question.schema,
          askedAt: r.question.askedAt.toISOString(),
          deadline: r.question.deadline.toISOString(),
        }
      : null,
    failure: r.failure,
    idempotencyKey: r.idempotencyKey,
    timeoutSeconds: r.timeoutSeconds,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
  };
}

export function eventJson(e: RunEvent) {
  return { seq: e.seq, at: e.at.toISOString(), ...e.data };
}

export function artifactJson(a: Artifact) {
  return {
    id: a.id,
    object: 'artifact',
    runId: a.runId,
    name: a.name,
    mediaType: a.mediaType,
    size: a.size,
    sha256: a.sha256,
    createdAt: a.createdAt.toISOString(),
    url: `/v1/runs/${a.runId}/artifacts/${a.id}`,
  };
}
