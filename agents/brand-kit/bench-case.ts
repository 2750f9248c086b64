/**
 * The benchmark's input: the heaviest a buyer can ask for (the longest name and tagline the manifest
 * allows, with characters that need escaping, a colour that forces logo adjustments, and a given
 * second colour). Brand kits take no files.
 */
export async function benchCase(): Promise<{
  input: Record<string, unknown>;
  files: { field: string; name: string; mediaType: string; bytes: Uint8Array }[];
}> {
  const company = 'Northwind & Söhne <Logistik> "Express" Handelsgesellschaft'.padEnd(60, '.').slice(0, 60);
  const tagline =
    'Freight, storage & last-mile delivery across Europe since 1987: "on time", every time, <always>'
      .padEnd(120, '.')
      .slice(0, 120);
  return {
    input: { company, tagline, mood: 'elegant', primaryColour: '#ffcc00', secondaryColour: '#0a4' },
    files: [],
  };
}
