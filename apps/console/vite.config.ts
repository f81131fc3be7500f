import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { noInlineScript } from '../../scripts/vite/no-inline-script.ts';

// The console is served by intake at /console/ (see apps/intake/src/console); `npm run build:console`
// writes it to dist/console. JSX is compiled by Vite's own transformer (automatic React runtime).
export default defineConfig({
  plugins: [noInlineScript()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      // antd marks its modules "use client" (for React Server Components); meaningless in this single-page app.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
