/** Placeholder until the sandbox's bundle format is settled. */
export function agentInit(_dir: string, _o: { slug?: string | undefined }): number {
  return 2;
}
