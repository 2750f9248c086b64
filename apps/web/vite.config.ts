import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The web app: built into dist/, served by the API server (no CDN, works offline). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The budget is checked by the bench (main-page JS under 200 kB gzipped); no size warnings here.
    chunkSizeWarningLimit: 1024,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/mcp': 'http://127.0.0.1:3000' } },
});
