import type { Artifact } from '@jeton/sdk';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { ArtifactCard } from '../../ui/artifact-preview.tsx';
import { ErrorNotice, Loading } from '../../ui/components.tsx';

/** The run's artifacts: read once at first, at each artifact the agent makes, and when the run is over. */
export function useArtifacts(id: string, artifactEvents: number, final: boolean) {
  const [artifacts, setArtifacts] = useState<Artifact[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the counters are what should trigger a re-read.
  useEffect(() => {
    let stale = false;
    api.runs
      .artifacts(id)
      .then((list) => {
        if (!stale) setArtifacts(list);
      })
      .catch((error: unknown) => {
        if (!stale) setError(error);
      });
    return () => {
      stale = true;
    };
  }, [id, artifactEvents, final]);
  return { artifacts, error };
}

/** "Files": a preview card per artifact. */
export function Files({
  artifacts,
  error,
  final,
}: {
  artifacts: Artifact[] | null;
  error: unknown;
  final: boolean;
}) {
  return (
    <section aria-labelledby="run-artifacts-title">
      <h2 id="run-artifacts-title">Files</h2>
      <ErrorNotice error={error} />
      {artifacts === null ? (
        <Loading label="Loading the files…" />
      ) : artifacts.length === 0 ? (
        <p className="muted">{final ? 'This run made no files.' : 'No files yet.'}</p>
      ) : (
        <div className="artifacts">
          {artifacts.map((a) => (
            <ArtifactCard key={a.id} artifact={a} />
          ))}
        </div>
      )}
    </section>
  );
}
