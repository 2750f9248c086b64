/**
 * The heaviest character the agent makes: tallest, sturdiest, every accessory and the most detailed
 * hair, so the benchmark measures the worst case of mesh building, GLB writing and rendering. No
 * description: the benchmark measures the agent's own work, not a model's.
 */
export async function benchCase(): Promise<{
  input: Record<string, unknown>;
  files: { field: string; name: string; mediaType: string; bytes: Uint8Array }[];
}> {
  return {
    input: {
      height: 2.2,
      build: 'sturdy',
      headSize: 1.3,
      skinColour: '#8d5524',
      shirtColour: '#3b7a57',
      trousersColour: '#5b4a3a',
      hairColour: '#b55239',
      hair: 'long',
      hat: true,
      glasses: true,
      backpack: true,
    },
    files: [],
  };
}
